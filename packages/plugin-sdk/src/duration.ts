/**
 * The one duration grammar of the kernel and every plugin: what `ms` reads, which is also how Kuzzle reads
 * `expiresIn` and its configuration's durations. A number is milliseconds; a string is an `ms` string
 * (`"500"`, `"30s"`, `"2h"`, `"1 hour"`, `"2 days"`, `"1.5d"`, `"-1"`).
 */
import ms from 'ms';

/**
 * Whole milliseconds in `value`, or undefined when it is not a duration. Negative durations come back as they
 * are (`-1` is how Kuzzle says "never expires"): which ones are allowed is the caller's decision.
 */
export function parseDuration(value: unknown): number | undefined {
  let milliseconds: number | undefined;
  if (typeof value === 'number') milliseconds = value;
  // `ms` throws on an empty string, and reads a string as a number only when it is all digits.
  else if (typeof value === 'string' && value !== '') milliseconds = ms(value as ms.StringValue);
  return milliseconds !== undefined && Number.isFinite(milliseconds) ? Math.round(milliseconds) : undefined;
}

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/**
 * A duration in words, exact (unlike `ms`'s long form, which rounds): `60000` -> `"minute"` with `bare`, else
 * `"1 minute"`; `90000` -> `"90 seconds"`; `1500` -> `"1500 ms"`. For messages that name a window.
 */
export function formatDuration(milliseconds: number, bare = false): string {
  for (const [unit, size] of UNITS) {
    if (milliseconds < size || milliseconds % size !== 0) continue;
    const count = milliseconds / size;
    if (count === 1) return bare ? unit : `1 ${unit}`;
    return `${count} ${unit}s`;
  }
  return `${milliseconds} ms`;
}
