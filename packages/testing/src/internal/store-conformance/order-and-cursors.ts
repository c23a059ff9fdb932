/**
 * Conformance: unsorted searches answer in creation order (Kuzzle clients see API keys, users and sessions in
 * the order they were made), search_after pages along a sort without skipping or repeating a document, and
 * `find` answers the same page as `search` without counting.
 */
import { describe, expect, it } from '@jest/globals';
import type { DocumentCollection, JsonObject, JsonValue, SearchBody, SortSpec } from '@tessera/plugin-sdk';
import { expectError, idsOf, useStore, type StoreSetup } from './store-fixture';

/** Ids in neither alphabetical nor any other order than the one they are created in. */
const CREATED = ['m', 'c', 'x', 'a', 'q', 'b'];

/** Sort values with ties, missing values and several types, so a cursor has every case to get right. */
const ROWS: readonly (readonly [id: string, source: JsonObject])[] = [
  ['r01', { rank: 2, name: 'b' }],
  ['r02', { rank: 1, name: 'b' }],
  ['r03', { rank: 2, name: 'a' }],
  ['r04', { name: 'a' }],
  ['r05', { rank: 1 }],
  ['r06', { rank: 2, name: 'b' }],
  ['r07', { rank: null, name: 'c' }],
  ['r08', { rank: 'two', name: 'a' }],
  ['r09', { rank: true, name: 'z' }],
  ['r10', { rank: 1, name: 'b' }],
  ['r11', { rank: [3, 0], name: 'y' }],
];

async function createAll(collection: DocumentCollection, ids: readonly string[]): Promise<void> {
  for (const id of ids) await collection.create({ id }, id);
}

/**
 * The sort value of `field` for a hit, read from its source as kuzzle-sdk does; of an array of numbers (the one
 * kind ROWS holds), the element the order sorts by.
 */
function sortValue(source: JsonObject, field: string, order: 'asc' | 'desc'): JsonValue {
  const value = source[field] ?? null;
  if (!Array.isArray(value)) return value;
  const numbers = value.filter((item): item is number => typeof item === 'number');
  return order === 'asc' ? Math.min(...numbers) : Math.max(...numbers);
}

export function describeOrderAndCursors(setup: StoreSetup): void {
  describe('default order', () => {
    const store = useStore(setup);

    it('answers unsorted searches in creation order, not id order', async () => {
      const collection = await store().collection('ordered');
      await createAll(collection, CREATED);
      expect(idsOf(await collection.search())).toEqual(CREATED);
      expect(idsOf(await collection.search({ query: { exists: { field: 'id' } } }))).toEqual(CREATED);
      expect(idsOf(await collection.search({}, { from: 2, size: 3 }))).toEqual(CREATED.slice(2, 5));
    });

    it('keeps a replaced document in its place and puts a re-created one last', async () => {
      const collection = await store().collection('ordered');
      await createAll(collection, CREATED);
      await collection.replace('c', { id: 'c', replaced: true });
      await collection.update('x', { updated: true });
      await collection.createOrReplace('a', { id: 'a', again: true });
      await collection.delete('m');
      await collection.create({ id: 'm' }, 'm');
      expect(idsOf(await collection.search())).toEqual(['c', 'x', 'a', 'q', 'b', 'm']);
    });

    it('keeps creation order for generated ids', async () => {
      const collection = await store().collection('ordered');
      const ids: string[] = [];
      for (let n = 0; n < 12; n++) ids.push((await collection.create({ n }))._id);
      expect(idsOf(await collection.search({}, { size: 20 }))).toEqual(ids);
    });
  });

  describe('search_after and find', () => {
    const store = useStore(setup, 'all');
    let rows: DocumentCollection;

    const seeded = async () => {
      if (rows === undefined) {
        rows = await store().collection('rows');
        for (const [id, source] of ROWS) await rows.create(source, id);
      }
      return rows;
    };

    /** Pages through `sort` two at a time, with the cursor kuzzle-sdk builds, plus the _id. */
    const pageThrough = async (sort: SortSpec): Promise<string[]> => {
      const collection = await seeded();
      const fields = (Array.isArray(sort) ? sort : [sort]).map((entry) => {
        if (typeof entry === 'string') return { field: entry, order: 'asc' as const };
        const [field = '', order] = Object.entries(entry)[0] ?? [];
        return { field, order: order === 'desc' ? ('desc' as const) : ('asc' as const) };
      });
      const seen: string[] = [];
      let after: JsonValue[] | undefined;
      for (let page = 0; page < ROWS.length; page++) {
        const body = after === undefined ? { sort } : { sort, search_after: after };
        const { hits } = await collection.search(body, { size: 2 });
        seen.push(...idsOf({ hits, total: 0 }));
        const last = hits.at(-1);
        if (hits.length < 2 || last === undefined) return seen;
        after = fields.map(({ field, order }) =>
          field === '_id' ? last._id : sortValue(last._source, field, order),
        );
        if (!fields.some(({ field }) => field === '_id')) after.push(last._id);
      }
      return seen;
    };

    it.each<[string, SortSpec]>([
      ['one field ascending', 'rank'],
      ['one field descending', { rank: 'desc' }],
      ['two fields', [{ name: 'asc' }, { rank: 'desc' }]],
      ['a field then _id descending', [{ rank: 'asc' }, { _id: 'desc' }]],
      ['_id alone', { _id: 'desc' }],
    ])('pages by %s with the _id in the cursor: every document once, in sort order', async (_, sort) => {
      const all = idsOf(await (await seeded()).search({ sort }, { size: 100 }));
      expect(all).toHaveLength(ROWS.length);
      expect(await pageThrough(sort)).toEqual(all);
    });

    it('pages with sort values only as Elasticsearch does: ties at a page boundary are skipped', async () => {
      const collection = await seeded();
      const { hits } = await collection.search({ sort: 'name', search_after: ['a'] }, { size: 100 });
      // After name "a": every other name, then the documents without one (r05).
      expect(idsOf({ hits, total: 0 })).toEqual(['r01', 'r02', 'r06', 'r10', 'r07', 'r11', 'r09', 'r05']);
    });

    it('orders values of several types numbers, strings, booleans, then missing', async () => {
      const collection = await seeded();
      const ascending = idsOf(await collection.search({ sort: 'rank' }, { size: 100 }));
      expect(ascending).toEqual([
        'r11',
        'r02',
        'r05',
        'r10',
        'r01',
        'r03',
        'r06',
        'r08',
        'r09',
        'r04',
        'r07',
      ]);
      const descending = idsOf(await collection.search({ sort: { rank: 'desc' } }, { size: 100 }));
      expect(descending).toEqual([
        'r09',
        'r08',
        'r11',
        'r01',
        'r03',
        'r06',
        'r02',
        'r05',
        'r10',
        'r04',
        'r07',
      ]);
    });

    it('answers the same hits from find as from search, without a total', async () => {
      const collection = await seeded();
      const body: SearchBody = { query: { range: { rank: { gte: 1 } } }, sort: [{ rank: 'desc' }] };
      const searched = await collection.search(body, { from: 1, size: 3 });
      expect(searched.total).toBe(7);
      expect(await collection.find(body, { from: 1, size: 3 })).toEqual(searched.hits);
      expect(await collection.find({ sort: 'rank', search_after: [2, 'r03'] }, { size: 2 })).toEqual(
        (await collection.search({ sort: 'rank' }, { from: 6, size: 2 })).hits,
      );
    });

    it('counts every match in the total of a page after a cursor', async () => {
      const collection = await seeded();
      expect(await collection.search({ sort: 'rank', search_after: [2] }, { size: 1 })).toMatchObject({
        total: ROWS.length,
      });
    });

    it('refuses a cursor without a sort, and one with from', async () => {
      const collection = await seeded();
      await expectError(collection.search({ search_after: [1] }), 'api.assert.invalid_argument');
      await expectError(
        collection.search({ sort: 'rank', search_after: [1] }, { from: 1 }),
        'api.assert.invalid_argument',
      );
    });
  });
}
