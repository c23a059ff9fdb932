/**
 * Durations as the configuration writes them: a number of milliseconds, or an `ms`-style string ("2h",
 * "30 minutes", "1.5d"). Parsed here rather than with `ms` so the plugin depends only on what it must.
 */

const UNITS: readonly (readonly [number, readonly string[]])[] = [
  [1, ['', 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
  [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
  [604_800_000, ['w', 'week', 'weeks']],
  // ms's year: 365.25 days.
  [31_557_600_000, ['y', 'yr', 'yrs', 'year', 'years']],
];

const MS_PER_UNIT: ReadonlyMap<string, number> = new Map(
  UNITS.flatMap(([ms, names]) => names.map((name) => [name, ms] as const)),
);

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i;

/** The duration in whole milliseconds, or undefined when `value` is not a non-negative duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const [, amount, unit] = DURATION.exec(value.trim()) ?? [];
  const scale = unit === undefined ? undefined : MS_PER_UNIT.get(unit.toLowerCase());
  return amount === undefined || scale === undefined ? undefined : Math.round(Number(amount) * scale);
}
