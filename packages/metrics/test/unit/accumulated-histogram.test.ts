/**
 * The request histogram's accumulator against prom-client's own `Histogram`: the same observations read back as
 * the same Prometheus text (both formats) and the same JSON, sample for sample.
 */
import { describe, expect, it } from '@jest/globals';
import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import { AccumulatedHistogram } from '../../src/internal/accumulated-histogram';

const NAME = 'tessera_request_duration_seconds';
const HELP = 'API requests by controller, action and status';
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function pair() {
  const reference = new Registry<RegistryContentType>();
  const accumulated = new Registry<RegistryContentType>();
  const histogram = new Histogram({
    name: NAME,
    help: HELP,
    labelNames: ['controller', 'action', 'status'] as const,
    buckets: BUCKETS,
    registers: [reference],
  });
  const accumulator = new AccumulatedHistogram({
    name: NAME,
    help: HELP,
    buckets: BUCKETS,
    registers: [accumulated],
  });
  const series = (labels: { controller: string; action: string; status: string }) => {
    const expected = histogram.labels(labels);
    const actual = accumulator.labels(labels);
    return (value: number) => {
      expected.observe(value);
      actual.observe(value);
    };
  };
  return { reference, accumulated, accumulator, series };
}

describe('AccumulatedHistogram', () => {
  it('reads N observations of one series as their exact bucket counts, sum and count', async () => {
    const { accumulated, series } = pair();
    const observe = series({ controller: 'server', action: 'now', status: '200' });
    for (const value of [0.0004, 0.001, 0.003, 0.003, 0.02, 0.7, 5, 9]) observe(value);
    const labels = 'controller="server",action="now",status="200"';
    const counts = [2, 4, 4, 5, 5, 5, 5, 5, 6, 6, 7];
    expect(await accumulated.metrics()).toBe(
      [
        `# HELP ${NAME} ${HELP}`,
        `# TYPE ${NAME} histogram`,
        ...BUCKETS.map((bound, i) => `${NAME}_bucket{le="${bound}",${labels}} ${counts[i]}`),
        `${NAME}_bucket{le="+Inf",${labels}} 8`,
        `${NAME}_sum{${labels}} ${0.0004 + 0.001 + 0.003 + 0.003 + 0.02 + 0.7 + 5 + 9}`,
        `${NAME}_count{${labels}} 8`,
        '',
      ].join('\n'),
    );
  });

  it("reads exactly as prom-client's Histogram fed the same observations, in every format", async () => {
    const { reference, accumulated, series } = pair();
    const now = series({ controller: 'server', action: 'now', status: '200' });
    const login = series({ controller: 'auth', action: 'login', status: '401' });
    const unknown = series({ controller: 'unknown', action: 'unknown', status: '404' });
    series({ controller: 'never', action: 'observed', status: '200' });
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 5000; i++) {
      now(random() * 0.03);
      if (i % 3 === 0) login(random() * 6);
      if (i % 100 === 0) unknown(BUCKETS[i % BUCKETS.length]!);
    }
    expect(await accumulated.metrics()).toBe(await reference.metrics());
    expect(await accumulated.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
    reference.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    accumulated.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(await accumulated.metrics()).toBe(await reference.metrics());
  });

  it('reads nothing of a series after a reset until it is observed again, as prom-client', async () => {
    const { reference, accumulated, series } = pair();
    const now = series({ controller: 'server', action: 'now', status: '200' });
    now(0.002);
    reference.resetMetrics();
    accumulated.resetMetrics();
    expect(await accumulated.metrics()).toBe(await reference.metrics());
    now(0.3);
    expect(await accumulated.metrics()).toBe(await reference.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client', () => {
    const { accumulator } = pair();
    expect(() =>
      accumulator.labels({ controller: 'a', action: 'b', status: '200' }).observe(Number.NaN),
    ).toThrow(TypeError);
  });
});
