/**
 * Filter complexity: the figures measured on a filter as sent, checked against Koncorde itself (its own count of
 * conditions, the normal form it builds), and the refusal the hub answers before normalising anything.
 */
import { describe, expect, it } from '@jest/globals';
import { Koncorde } from 'koncorde';
import type { JsonObject } from '@tessera/plugin-sdk';
import {
  MAX_FILTER_GROUPS,
  MAX_FILTER_SIZE,
  assertFilterBounds,
  measureFilter,
} from '../../src/realtime/filter-complexity';
import { openHub } from './realtime-fixture';

let field = 0;
const condition = (): JsonObject => ({ equals: { [`f${++field}`]: 'v' } });
const conditions = (count: number) => Array.from({ length: count }, condition);

/** A deterministic generator of filters using every keyword that changes the shape, each field used once. */
function randomFilters(seed: number, count: number): JsonObject[] {
  let state = seed;
  const next = (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * below);
  };
  const values = () => Array.from({ length: 1 + next(3) }, (_, n) => `v${n}`);
  const generate = (depth: number): JsonObject => {
    const pick = next(depth > 3 ? 4 : 11);
    if (pick < 3) return pick === 0 ? { exists: `f${++field}` } : condition();
    if (pick === 3) return { in: { [`f${++field}`]: values() } };
    if (pick === 4) return { ids: { values: values().map((value) => `${value}-${++field}`) } };
    if (pick === 5) return { not: generate(depth + 1) };
    const list = () => Array.from({ length: 1 + next(3) }, () => generate(depth + 1));
    if (pick === 6) return { bool: { must: list(), must_not: list(), should: list(), should_not: list() } };
    return { [pick % 2 === 0 ? 'and' : 'or']: list() };
  };
  return Array.from({ length: count }, () => generate(0));
}

/** The filters of `randomFilters` cheap enough to hand to Koncorde, i.e. within our bounds. */
const admitted = (filters: JsonObject[]) =>
  filters.filter((filter) => {
    const { groups, size } = measureFilter(filter);
    return groups <= MAX_FILTER_GROUPS && size <= MAX_FILTER_SIZE;
  });

describe('measureFilter', () => {
  it('measures the shapes whose cost it bounds', () => {
    const chain = {
      and: [condition(), { or: [condition(), { and: [condition(), { or: conditions(2) }] }] }],
    };

    expect(measureFilter({})).toEqual({ conditions: 0, groups: 1, size: 1 });
    expect(measureFilter(condition())).toEqual({ conditions: 1, groups: 1, size: 1 });
    expect(measureFilter({ or: conditions(16) })).toEqual({ conditions: 16, groups: 1, size: 16 });
    expect(measureFilter({ or: Array.from({ length: 16 }, () => ({ and: conditions(2) })) })).toEqual({
      conditions: 32,
      groups: 16,
      size: 32,
    });
    expect(measureFilter(chain)).toEqual({ conditions: 5, groups: 4, size: 8 });
    expect(measureFilter({ not: chain })).toEqual({ conditions: 5, groups: 4, size: 6 });
    expect(measureFilter({ and: [{ in: { a: ['1', '2', '3'] } }, { in: { b: ['1', '2'] } }] })).toEqual({
      conditions: 5,
      groups: 2,
      size: 12,
    });
  });

  it('counts a select as one condition plus its query, which Koncorde normalises too', () => {
    const query = { or: Array.from({ length: 4 }, () => ({ and: conditions(2) })) };

    expect(measureFilter({ select: { field: 'list', index: 0, query } })).toEqual({
      conditions: 9,
      groups: 5,
      size: 12,
    });
  });

  it('counts conditions exactly as Koncorde does (its own maxConditions as the oracle)', () => {
    const filters = admitted(randomFilters(7, 400)).filter((filter) => measureFilter(filter).conditions > 1);

    expect(filters.length).toBeGreaterThan(100);
    for (const filter of filters) {
      const { conditions: count } = measureFilter(filter);
      expect(() => new Koncorde({ maxConditions: count } as never).normalize(filter)).not.toThrow();
      expect(() => new Koncorde({ maxConditions: count - 1 } as never).normalize(filter)).toThrow(
        /Filter too complex/,
      );
    }
  });

  it('gives the size of the normal form Koncorde builds, or more when Koncorde drops impossible terms', () => {
    const koncorde = new Koncorde();
    const filters = admitted(randomFilters(11, 400));

    expect(filters.length).toBeGreaterThan(100);
    for (const filter of filters) {
      const normalized = koncorde.normalize(filter).filter;
      const size = normalized.reduce((sum, term) => sum + term.length, 0);
      // Every field is used once, but `ids` all test `_id`: a term asking two ids of one document goes.
      if (JSON.stringify(filter).includes('"ids"')) {
        expect(size).toBeLessThanOrEqual(measureFilter(filter).size);
      } else {
        expect({ filter, size }).toEqual({ filter, size: measureFilter(filter).size });
      }
    }
  });

  it('walks any nesting depth without overflowing the stack', () => {
    let nots: JsonObject = condition();
    let ands: JsonObject = condition();
    for (let depth = 0; depth < 100_000; depth += 1) {
      nots = { not: nots };
      ands = { and: [ands] };
    }

    expect(measureFilter(nots)).toEqual({ conditions: 1, groups: 1, size: 1 });
    expect(measureFilter(ands)).toEqual({ conditions: 1, groups: 1, size: 1 });
  });
});

describe('assertFilterBounds', () => {
  it('admits a filter at every bound and refuses one past each', () => {
    const bounds = { maxConditions: 16 };
    const chain = (levels: number, operator: 'and' | 'or' = 'and'): JsonObject =>
      levels === 0
        ? { [operator]: conditions(2) }
        : { [operator]: [condition(), chain(levels - 1, operator === 'and' ? 'or' : 'and')] };

    expect(() => assertFilterBounds({ and: conditions(16) }, bounds)).not.toThrow();
    expect(() => assertFilterBounds({ and: conditions(17) }, bounds)).toThrow(
      expect.objectContaining({ id: 'core.realtime.too_many_terms', props: ['conditions', '16', '17'] }),
    );
    expect(() => assertFilterBounds({ and: conditions(17) }, { maxConditions: 0 })).not.toThrow();
    expect(() => assertFilterBounds(chain(7), bounds)).not.toThrow();
    expect(() => assertFilterBounds(chain(8), bounds)).toThrow(
      expect.objectContaining({ props: ['condition groups', '8', '9'] }),
    );
    const product = (ors: number) => ({ and: Array.from({ length: ors }, () => ({ or: conditions(2) })) });
    expect(measureFilter(product(5)).size).toBe(160);
    expect(() => assertFilterBounds(product(5), bounds)).not.toThrow();
    expect(() => assertFilterBounds(product(6), bounds)).toThrow(
      expect.objectContaining({ props: ['conditions once expanded into and-terms', '256', '384'] }),
    );
  });
});

describe('RealtimeHub.subscribe', () => {
  it('refuses a filter past the bounds before creating any room', async () => {
    const harness = openHub({ maxConditions: 4 });
    const client = harness.client('alice');

    expect(() => harness.hub.subscribe(client.caller(), 'shop', 'orders', { and: conditions(5) })).toThrow(
      expect.objectContaining({ id: 'core.realtime.too_many_terms', status: 413 }),
    );
    expect(await harness.hub.list(client.caller())).toEqual({});
    expect(harness.hub.subscribe(client.caller(), 'shop', 'orders', { and: conditions(4) }).roomId).toEqual(
      expect.any(String),
    );
  });
});
