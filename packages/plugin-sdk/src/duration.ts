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
