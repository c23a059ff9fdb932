/**
 * Conformance: the cases storage engines answer differently on their own, pinned to one answer. Declared fields
 * hold scalars only (MongoDB would index each element of an array, SQLite and PostgreSQL the whole array); null
 * and missing values never collide in a unique field (PostgreSQL's JSON null is a value); strings compare by
 * code point whatever the database's collation; `exists` looks into objects as Elasticsearch does; missing
 * values sort last both ways (MongoDB puts them first ascending); a path never descends into an array (MongoDB's
 * and PostgreSQL's JSON paths would).
 */
import { describe, expect, it } from '@jest/globals';
import type { CollectionSpec, JsonObject, JsonValue } from '@tessera/plugin-sdk';
import { expectError, idsOf, useStore, type StoreSetup } from './store-fixture';

/** Sorted by code point: '' < 'B' < 'Z' < 'a' < 'aa' < 'é' (U+E9) < U+FFFD < '😀' (U+1F600, after U+FFFD as a
 * code point, before it as UTF-16, which is how JavaScript's `<` compares). */
const WORDS: readonly (readonly [id: string, word: string])[] = [
  ['w1', 'é'],
  ['w2', 'a'],
  ['w3', '😀'],
  ['w4', 'B'],
  ['w5', '\uFFFD'],
  ['w6', 'Z'],
  ['w7', ''],
  ['w8', 'aa'],
];
const BY_CODE_POINT = ['w7', 'w4', 'w6', 'w2', 'w8', 'w1', 'w5', 'w3'];

const PRESENCE: readonly (readonly [id: string, source: JsonObject, exists: boolean])[] = [
  ['empty-object', { a: {} }, false],
  ['null-member', { a: { b: null } }, false],
  ['empty-nested', { a: { b: {} } }, false],
  ['null-array-member', { a: { b: [null] } }, false],
  ['objects-in-array', { a: [{}, { b: null }] }, false],
  ['empty-arrays', { a: [[], []] }, false],
  ['nested-value', { a: { b: { c: 1 } } }, true],
  ['array-member', { a: { b: [null, 'x'] } }, true],
  ['nested-array', { a: [[0]] }, true],
  ['false', { a: false }, true],
  ['zero', { a: 0 }, true],
  ['empty-string', { a: '' }, true],
  ['null', { a: null }, false],
  ['absent', { other: 1 }, false],
];

export function describeEngineEdges(setup: StoreSetup): void {
  describe('what engines disagree on', () => {
    const store = useStore(setup);

    it.each([
      ['unique', { unique: ['key'] }],
      ['indexed', { indexed: ['key'] }],
    ])('refuses arrays and objects in a %s field, on every write', async (_, spec) => {
      const collection = await store().collection('declared', spec);
      await collection.create({ key: 'scalar' }, 'doc');
      const refused: [JsonValue, string][] = [
        [['a', 'b'], 'an array'],
        [{ a: 1 }, 'an object'],
        [[], 'an array'],
      ];
      for (const [value, what] of refused) {
        const error = await expectError(
          collection.create({ key: value }),
          'services.storage.indexed_field_not_scalar',
        );
        expect(error.props).toEqual(['key', 'declared', what]);
        await expectError(
          collection.replace('doc', { key: value }),
          'services.storage.indexed_field_not_scalar',
        );
        await expectError(
          collection.createOrReplace('new', { key: value }),
          'services.storage.indexed_field_not_scalar',
        );
        await expectError(
          collection.update('doc', { key: value }),
          'services.storage.indexed_field_not_scalar',
        );
      }
      expect(idsOf(await collection.search())).toEqual(['doc']);
      expect((await collection.get('doc'))?._source).toEqual({ key: 'scalar' });
    });

    it('checks nested declared fields, and lets other fields hold anything', async () => {
      const collection = await store().collection('declared', { indexed: ['a.b'] });
      await collection.create({ a: { b: 1, c: [1] }, d: { e: [] } }, 'one');
      await collection.create({ a: [{ b: [1] }] }, 'array-on-the-way');
      await expectError(
        collection.update('one', { a: { b: { deep: 1 } } }),
        'services.storage.indexed_field_not_scalar',
      );
      expect(await collection.count({ query: { term: { 'a.b': 1 } } })).toBe(1);
    });

    it('refuses to declare a field over stored arrays or objects', async () => {
      const plain = await store().collection('late');
      await plain.create({ key: ['a'] }, 'array');
      const error = await expectError(
        store().collection('late', { indexed: ['key'] }),
        'services.storage.indexed_field_not_scalar',
      );
      expect(error.props).toEqual(['key', 'late', 'an array']);
      await plain.replace('array', { key: { a: 1 } });
      await expectError(
        store().collection('late', { unique: ['key'] }),
        'services.storage.indexed_field_not_scalar',
      );
      await plain.replace('array', { key: 'a' });
      const declared = await store().collection('late', { unique: ['key'] });
      await expectError(declared.create({ key: 'a' }), 'services.storage.unique_violation');
    });

    it('lets any number of documents hold null, or nothing, in a unique field', async () => {
      const collection = await store().collection('accounts', { unique: ['email'] });
      await collection.create({ email: null }, 'null-1');
      await collection.create({ email: null }, 'null-2');
      await collection.create({}, 'absent-1');
      await collection.create({ other: 1 }, 'absent-2');
      await collection.create({ email: 'ada@example.com' }, 'ada');
      await collection.update('absent-1', { email: null });
      expect(await collection.count()).toBe(5);
      expect(
        idsOf(await collection.search({ query: { equals: { email: null } } }, { lang: 'koncorde' })),
      ).toEqual(['null-1', 'null-2', 'absent-1']);
    });

    it.each([
      ['an undeclared field', {}],
      ['a declared field', { indexed: ['word'] }],
      ['a unique field', { unique: ['word'] }],
    ])('sorts and compares strings by code point on %s', async (_, spec) => {
      const collection = await store().collection('words', spec);
      for (const [id, word] of WORDS) await collection.create({ word }, id);
      expect(idsOf(await collection.search({ sort: 'word' }))).toEqual(BY_CODE_POINT);
      expect(idsOf(await collection.search({ sort: { word: 'desc' } }))).toEqual(
        [...BY_CODE_POINT].reverse(),
      );
      const range = await collection.search({
        query: { range: { word: { gte: 'Z', lt: '\uFFFD' } } },
        sort: 'word',
      });
      expect(idsOf(range)).toEqual(['w6', 'w2', 'w8', 'w1']);
      const after = await collection.search({ sort: 'word', search_after: ['\uFFFD'] });
      expect(idsOf(after)).toEqual(['w3']);
    });

    it.each<[string, CollectionSpec]>([
      ['an undeclared field', {}],
      ['a declared field', { indexed: ['a'] }],
    ])('says a field exists when it holds a value other than null, at any depth, on %s', async (_, spec) => {
      const collection = await store().collection('presence', spec);
      // Declared fields hold scalars: only the scalar cases apply to them.
      const cases = PRESENCE.filter(([, source]) => spec.indexed === undefined || !isContainer(source['a']));
      for (const [id, source] of cases) await collection.create(source, id);
      const expected = cases.filter(([, , exists]) => exists).map(([id]) => id);
      const found = await collection.search({ query: { exists: { field: 'a' } } }, { size: 100 });
      expect(idsOf(found)).toEqual(expected);
      const missing = await collection.search({ query: { missing: 'a' } }, { lang: 'koncorde', size: 100 });
      expect(idsOf(missing)).toEqual(cases.filter(([, , exists]) => !exists).map(([id]) => id));
    });

    it('sorts null, [], [null] and objects last like missing values, in both directions', async () => {
      const collection = await store().collection('sorted');
      const sources: Record<string, JsonObject> = {
        two: { n: 2 },
        nil: { n: null },
        empty: { n: [] },
        nulls: { n: [null] },
        object: { n: { a: 1 } },
        absent: {},
        one: { n: 1 },
      };
      for (const [id, source] of Object.entries(sources)) await collection.create(source, id);
      const last = ['absent', 'empty', 'nil', 'nulls', 'object'];
      expect(idsOf(await collection.search({ sort: 'n' }))).toEqual(['one', 'two', ...last]);
      expect(idsOf(await collection.search({ sort: { n: 'desc' } }))).toEqual(['two', 'one', ...last]);
    });

    it('never descends into an array on the way to a field', async () => {
      const collection = await store().collection('paths');
      await collection.create({ a: [{ b: 1 }, { b: 2 }] }, 'array');
      await collection.create({ a: { b: 1 } }, 'object');
      await collection.create({ a: { 0: 1 } }, 'key-zero');
      await collection.create({ a: [1] }, 'index-zero');
      expect(idsOf(await collection.search({ query: { term: { 'a.b': 1 } } }))).toEqual(['object']);
      expect(idsOf(await collection.search({ query: { exists: { field: 'a.b' } } }))).toEqual(['object']);
      expect(idsOf(await collection.search({ query: { term: { 'a.0': 1 } } }))).toEqual(['key-zero']);
    });
  });
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
