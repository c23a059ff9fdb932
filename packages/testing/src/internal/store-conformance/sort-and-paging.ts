/**
 * Conformance: sort (asc/desc, strings, numbers, arrays, `_id`, missing values last, `_id` as tie-breaker),
 * from/size paging with the true total, count, deleteByQuery and the size limit.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { DocumentCollection, SortSpec } from '@tessera/plugin-sdk';
import { PEOPLE_DECLARED, seedPeople } from './people';
import { expectError, idsOf, useStore, type StoreSetup } from './store-fixture';

type SortCase = readonly [title: string, sort: SortSpec, expected: readonly string[]];

const SORT_CASES: readonly SortCase[] = [
  ['a string field named alone, ascending', 'name', ['ada', 'alan', 'edsger', 'grace', 'linus', 'margaret']],
  [
    'a number descending, missing last',
    { age: 'desc' },
    ['margaret', 'grace', 'linus', 'alan', 'ada', 'edsger'],
  ],
  [
    'a number ascending in the long form, missing last',
    { age: { order: 'asc' } },
    ['ada', 'alan', 'linus', 'grace', 'margaret', 'edsger'],
  ],
  ['_id descending', { _id: 'desc' }, ['margaret', 'linus', 'grace', 'edsger', 'alan', 'ada']],
  [
    'a nested field then a second key for the documents lacking it',
    [{ 'address.city': 'asc' }, { age: 'desc' }],
    ['margaret', 'ada', 'grace', 'alan', 'linus', 'edsger'],
  ],
  [
    'an array ascending by its smallest element',
    { ratings: 'asc' },
    ['linus', 'alan', 'ada', 'edsger', 'grace', 'margaret'],
  ],
  [
    'an array descending by its largest element',
    [{ ratings: { order: 'desc' } }],
    ['ada', 'alan', 'linus', 'edsger', 'grace', 'margaret'],
  ],
];

/** doc-00 .. doc-11 with n = 0..11 and group = n % 3. */
async function seedNumbers(collection: DocumentCollection): Promise<void> {
  for (let n = 0; n < 12; n++)
    await collection.create({ n, group: n % 3 }, `doc-${String(n).padStart(2, '0')}`);
}

const docs = (...numbers: number[]) => numbers.map((n) => `doc-${String(n).padStart(2, '0')}`);

export function describeSortAndPaging(setup: StoreSetup): void {
  describe('sort', () => {
    const store = useStore(setup, 'all');
    let people: DocumentCollection;
    let declared: DocumentCollection;
    beforeAll(async () => {
      people = await store().collection('people');
      declared = await store().collection('declared-people', PEOPLE_DECLARED);
      await seedPeople(people);
      await seedPeople(declared);
    });

    it.each(SORT_CASES)('sorts by %s', async (_, sort, expected) => {
      expect(idsOf(await people.search({ sort }))).toEqual(expected);
      expect(idsOf(await declared.search({ sort }))).toEqual(expected);
    });

    it('sorts the matching documents only', async () => {
      const result = await people.search({ query: { term: { active: true } }, sort: { age: 'desc' } });
      expect(idsOf(result)).toEqual(['margaret', 'grace', 'ada']);
    });
  });

  describe('paging, count and deleteByQuery', () => {
    const store = useStore(setup);
    const numbers = async () => {
      const collection = await store().collection('numbers');
      await seedNumbers(collection);
      return collection;
    };

    it('breaks sort ties by _id ascending', async () => {
      const collection = await numbers();
      const result = await collection.search({ sort: { group: 'asc' } }, { size: 12 });
      expect(idsOf(result)).toEqual(docs(0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11));
    });

    it('returns 10 hits by default with the true total', async () => {
      const result = await (await numbers()).search({ sort: 'n' });
      expect(idsOf(result)).toEqual(docs(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
      expect(result.total).toBe(12);
    });

    it('pages with from and size', async () => {
      const collection = await numbers();
      const page = await collection.search({ sort: [{ n: 'asc' }] }, { from: 3, size: 4 });
      expect(idsOf(page)).toEqual(docs(3, 4, 5, 6));
      expect(page.total).toBe(12);
      const filtered = await collection.search(
        { query: { range: { n: { gte: 6 } } }, sort: { n: 'desc' } },
        { from: 2, size: 2 },
      );
      expect(idsOf(filtered)).toEqual(docs(9, 8));
      expect(filtered.total).toBe(6);
    });

    it('returns no hits past the end or with size 0, still with the total', async () => {
      const collection = await numbers();
      expect(await collection.search({}, { from: 20 })).toEqual({ hits: [], total: 12 });
      expect(await collection.search({ query: { term: { group: 1 } } }, { size: 0 })).toEqual({
        hits: [],
        total: 4,
      });
    });

    it('counts everything or the matches of either language', async () => {
      const collection = await numbers();
      expect(await collection.count()).toBe(12);
      expect(await collection.count({ query: { range: { n: { lt: 5 } } } })).toBe(5);
      expect(await collection.count({ query: { equals: { group: 2 } } }, { lang: 'koncorde' })).toBe(4);
    });

    it('deletes by query and returns how many it deleted', async () => {
      const collection = await numbers();
      expect(await collection.deleteByQuery({ query: { range: { n: { gte: 10 } } } })).toBe(2);
      expect(await collection.deleteByQuery({ query: { in: { group: [0] } } }, { lang: 'koncorde' })).toBe(4);
      expect(await collection.deleteByQuery({ query: { term: { n: 100 } } })).toBe(0);
      expect(idsOf(await collection.search({ sort: 'n' }))).toEqual(docs(1, 2, 4, 5, 7, 8));
    });

    it('refuses a size over the limit, and accepts the limit itself', async () => {
      const limited = await store().storage('kernel', { maxSize: 5 }).collection('numbers');
      await seedNumbers(limited);
      await expectError(limited.search({}, { size: 6 }), 'services.storage.get_limit_exceeded');
      expect((await limited.search({}, { size: 5 })).hits).toHaveLength(5);
      await expectError(
        (await store().collection('numbers')).search({}, { size: 10_001 }),
        'services.storage.get_limit_exceeded',
      );
    });

    it.each([
      ['from', { from: -1 }],
      ['from', { from: 1.5 }],
      ['size', { size: -1 }],
      ['size', { size: 2.5 }],
    ])('refuses an invalid %s', async (_, options) => {
      await expectError((await numbers()).search({}, options), 'api.assert.invalid_argument');
    });
  });
}
