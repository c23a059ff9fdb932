/**
 * A histogram whose series are resolved once and observed into plain numbers: a `Float64Array` of bucket counts,
 * a sum and a count per series, with no label objects, checks or hashing per observation (prom-client's child
 * `observe` still does all three on every call). It registers in a prom-client `Registry` as a collector of type
 * `histogram` and reads back exactly what a prom-client `Histogram` with the same name, help, buckets and
 * observations would: the same samples, labels (`le` first, then the series' own), values and order, in the text
 * formats and in `getMetricsAsJSON`.
 */
import type { Metric, Registry, RegistryContentType } from 'prom-client';

export interface HistogramSeries {
  observe(value: number): void;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative), by bucket index; a value above the last bound is in none. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

export interface AccumulatedHistogramConfig {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, increasing (as prom-client's `buckets`). */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry<RegistryContentType>[];
}

export class AccumulatedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: readonly number[];
  private readonly series: Series[] = [];

  constructor(config: AccumulatedHistogramConfig) {
    this.name = config.name;
    this.help = config.help;
    this.bounds = [...config.buckets];
    // The registry reads a metric through `get()` (and `reset()`), which this implements as prom-client's do.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * A new series with these labels (resolve it once per label set: each call makes one). Like prom-client's, it is
   * read only once observed.
   */
  labels(labels: Readonly<Record<string, string>>): HistogramSeries {
    const series: Series = {
      labels: { ...labels },
      buckets: new Float64Array(this.bounds.length),
      sum: 0,
      count: 0,
    };
    this.series.push(series);
    const bounds = this.bounds;
    return {
      observe(value: number) {
        if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
        series.sum += value;
        series.count += 1;
        for (let i = 0; i < bounds.length; i++) {
          if (value <= bounds[i]!) {
            series.buckets[i]! += 1;
            return;
          }
        }
      },
    };
  }

  /** As prom-client's: every series reads as absent until it is observed again. */
  reset(): void {
    for (const series of this.series) {
      series.buckets.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  /** What prom-client's `Histogram.get()` answers for the same observations. */
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: {
      labels: Record<string, string | number>;
      value: number;
      metricName: string;
      exemplar: null | undefined;
    }[];
    aggregator: 'sum';
  }> {
    const bucketName = `${this.name}_bucket`;
    const values = [];
    for (const series of this.series) {
      if (series.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.buckets[i]!;
        values.push({
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
          labels: { le: this.bounds[i]!, ...series.labels },
        });
      }
      values.push(
        {
          value: series.count,
          metricName: bucketName,
          exemplar: null,
          labels: { le: '+Inf', ...series.labels },
        },
        {
          value: series.sum,
          metricName: `${this.name}_sum`,
          exemplar: undefined,
          labels: { ...series.labels },
        },
        {
          value: series.count,
          metricName: `${this.name}_count`,
          exemplar: undefined,
          labels: { ...series.labels },
        },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }
}
