/** Pure helpers for the figures: percentiles, means, rounding. */

/** The p-th percentile (0..100) of `values` by the nearest-rank method; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** `value` with `digits` significant digits, as a number (for the JSON and the table). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

/** Bytes in MB (2^20 bytes), as RSS figures are reported. */
export function megabytes(bytes: number): number {
  return bytes / 2 ** 20;
}

/** A growable list of latencies in milliseconds. */
export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  toArray(): Float64Array {
    return this.values.subarray(0, this.size);
  }
}
