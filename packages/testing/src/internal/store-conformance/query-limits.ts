/**
 * Conformance: no query shape surfaces an engine error. The parser refuses what is too large with a clear 400
 * (services.storage.query_too_complex) before any engine sees it, and everything up to the limits is answered,
 * however wide or deep: an engine's own limits (SQLite's expression depth of 1000, a statement's number of
 * parameters) are the adapter's to stay clear of.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentCollection, JsonObject } from '@tessera/plugin-sdk';
import { QUERY_LIMITS } from '@tessera/store';
import { expectError, idsOf, useStore, type StoreSetup } from './store-fixture';

const DOCUMENTS = 20;

/** `filter` inside `levels` Koncorde nots (an even number: the same documents match). */
function nots(levels: number, filter: JsonObject): JsonObject {
  let query = filter;
  for (let i = 0; i < levels; i++) query = { not: query };
  return query;
}

export function describeQueryLimits(setup: StoreSetup): void {
  describe('query limits', () => {
    const store = useStore(setup, 'all');
    let plain: DocumentCollection;
    let declared: DocumentCollection;
    beforeAll(async () => {
      plain = await store().collection('limits');
      declared = await store().collection('declared-limits', { indexed: ['n'], unique: ['key'] });
      for (let n = 0; n < DOCUMENTS; n++) {
        await plain.create({ n, key: `k${n}` }, `d${n}`);
        await declared.create({ n, key: `k${n}` }, `d${n}`);
      }
    });
    const both = () => [plain, declared];

    it('refuses 1,100 nested nots with a 400, whatever the language', async () => {
      for (const collection of both()) {
        const error = await expectError(
          collection.search({ query: nots(1100, { equals: { n: 1 } }) }, { lang: 'koncorde' }),
          'services.storage.query_too_complex',
        );
        expect(error.status).toBe(400);
        let bool: JsonObject = { term: { n: 1 } };
        for (let i = 0; i < 1100; i++) bool = { bool: { must_not: bool } };
        await expectError(collection.count({ query: bool }), 'services.storage.query_too_complex');
        await expectError(collection.deleteByQuery({ query: bool }), 'services.storage.query_too_complex');
      }
    });

    it('answers queries as deep as the limit', async () => {
      const deep = nots(QUERY_LIMITS.maxDepth - 2, { equals: { n: 3 } });
      for (const collection of both()) {
        expect(idsOf(await collection.search({ query: deep }, { lang: 'koncorde' }))).toEqual(['d3']);
      }
    });

    it('answers an or as wide as the limit, on declared and other fields', async () => {
      const wide = (field: string, value: (n: number) => string | number) =>
        Array.from({ length: QUERY_LIMITS.maxClauses - 1 }, (_, i) => ({
          equals: { [field]: value(i % 3) },
        }));
      for (const collection of both()) {
        const byNumber = await collection.search(
          { query: { or: wide('n', (n) => n) } },
          { lang: 'koncorde' },
        );
        expect(idsOf(byNumber)).toEqual(['d0', 'd1', 'd2']);
        const byKey = await collection.count(
          { query: { or: wide('key', (n) => `k${n}`) } },
          { lang: 'koncorde' },
        );
        expect(byKey).toBe(3);
        const and = Array.from({ length: QUERY_LIMITS.maxClauses - 1 }, () => ({ range: { n: { gte: 5 } } }));
        expect(await collection.count({ query: { bool: { filter: and } } })).toBe(DOCUMENTS - 5);
      }
    });

    it('refuses one clause more than the limit', async () => {
      const tooWide = Array.from({ length: QUERY_LIMITS.maxClauses }, (_, n) => ({ equals: { n } }));
      await expectError(
        plain.search({ query: { or: tooWide } }, { lang: 'koncorde' }),
        'services.storage.query_too_complex',
      );
    });

    it('answers terms, in and ids listing as many values as the limit', async () => {
      const numbers = Array.from({ length: QUERY_LIMITS.maxValues }, (_, n) => n + 15);
      const keys = Array.from({ length: QUERY_LIMITS.maxValues }, (_, n) => `k${n + 15}`);
      const ids = Array.from({ length: QUERY_LIMITS.maxValues }, (_, n) => `d${n + 15}`);
      const expected = ['d15', 'd16', 'd17', 'd18', 'd19'];
      for (const collection of both()) {
        expect(idsOf(await collection.search({ query: { terms: { n: numbers } } }))).toEqual(expected);
        expect(
          idsOf(await collection.search({ query: { in: { key: keys } } }, { lang: 'koncorde' })),
        ).toEqual(expected);
        expect(idsOf(await collection.search({ query: { ids: { values: ids } } }))).toEqual(expected);
      }
      await expectError(
        plain.search({ query: { terms: { n: [...numbers, -1] } } }),
        'services.storage.query_too_complex',
      );
    });
  });
}
