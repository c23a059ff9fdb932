/**
 * parseDuration is the kernel's and every plugin's one duration grammar: `ms`'s, as Kuzzle reads `expiresIn`.
 */
import { formatDuration, parseDuration } from '@tessera/plugin-sdk';

describe('parseDuration', () => {
  it.each<[number | string, number]>([
    [1500, 1500],
    [2.6, 3],
    ['500', 500],
    ['500ms', 500],
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['2H', 7_200_000],
    ['1.5h', 5_400_000],
    ['1 hour', 3_600_000],
    ['2 days', 172_800_000],
    ['3 weeks', 1_814_400_000],
    ['1d', 86_400_000],
    ['-1', -1],
    [-1, -1],
  ])('reads %j as %d ms', (value, expected) => {
    expect(parseDuration(value)).toBe(expected);
  });

  it.each<unknown>([
    'soon',
    '',
    ' 2h ',
    '1h30m',
    'h',
    '2 fortnights',
    `${'9'.repeat(101)}`,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    undefined,
    true,
    {},
    ['2h'],
  ])('finds no duration in %p', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('names a window exactly, in the largest unit that divides it', () => {
    expect(formatDuration(60_000, true)).toBe('minute');
    expect(formatDuration(60_000)).toBe('1 minute');
    expect(formatDuration(90_000)).toBe('90 seconds');
    expect(formatDuration(7_200_000)).toBe('2 hours');
    expect(formatDuration(86_400_000, true)).toBe('day');
    expect(formatDuration(1500)).toBe('1500 ms');
    expect(formatDuration(0)).toBe('0 ms');
  });
});
