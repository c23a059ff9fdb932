/** Conformance: writes of many documents at once (mCreate, mDelete). */
import { describe, expect, it } from '@jest/globals';
import { expectError, useStore, type StoreSetup } from './store-fixture';

/** Engines whose bulk writes are one transaction: a failure leaves nothing written. */
const TRANSACTIONAL = new Set(['sqlite', 'postgres']);

export function describeBulkWrites(setup: StoreSetup): void {
  describe('bulk writes', () => {
    const store = useStore(setup);

    it('mCreate creates every document, given ids or generated ones, in the order given', async () => {
      const events = await store().collection('events', { indexed: ['kind'] });
      const created = await events.mCreate([
        { _id: 'first', _source: { kind: 'a', n: 1 } },
        { _source: { kind: 'b', n: 2 } },
        { _source: { kind: 'a', n: 3, nested: { list: [1, 'two'] } } },
      ]);
      expect(created.map((document) => document._source)).toEqual([
        { kind: 'a', n: 1 },
        { kind: 'b', n: 2 },
        { kind: 'a', n: 3, nested: { list: [1, 'two'] } },
      ]);
      expect(created[0]?._id).toBe('first');
      expect(new Set(created.map((document) => document._id)).size).toBe(3);
      // Without a sort, documents come in the order they were created.
      const { hits } = await events.search();
      expect(hits).toEqual(created);
      expect(await events.count({ query: { term: { kind: 'a' } } })).toBe(2);
    });

    it('mCreate of nothing writes nothing', async () => {
      const events = await store().collection('events');
      expect(await events.mCreate([])).toEqual([]);
      expect(await events.count()).toBe(0);
    });

    it('mCreate refuses a taken id, keeping the document that has it', async () => {
      const events = await store().collection('events');
      await events.create({ n: 0 }, 'taken');
      await expectError(
        events.mCreate([
          { _id: 'free', _source: { n: 1 } },
          { _id: 'taken', _source: { n: 2 } },
          { _id: 'after', _source: { n: 3 } },
        ]),
        'services.storage.document_already_exists',
      );
      expect((await events.get('taken'))?._source).toEqual({ n: 0 });
      expect(await events.get('after')).toBeNull();
      // One transaction where the engine has them: the document before the failure is not written either.
      if (TRANSACTIONAL.has(store().adapter.engine)) expect(await events.get('free')).toBeNull();
    });

    it('mCreate refuses a source breaking a unique field or holding a non-scalar in a declared one', async () => {
      const people = await store().collection('people', { unique: ['email'] });
      await people.create({ email: 'ada@example.com' }, 'ada');
      await expectError(
        people.mCreate([{ _id: 'copy', _source: { email: 'ada@example.com' } }]),
        'services.storage.unique_violation',
      );
      await expectError(
        people.mCreate([{ _id: 'odd', _source: { email: ['a', 'b'] } }]),
        'services.storage.indexed_field_not_scalar',
      );
      expect(await people.count()).toBe(1);
    });

    it('mDelete deletes the documents named and answers the ids it deleted, in the order given', async () => {
      const events = await store().collection('events', { indexed: ['owner'] });
      await events.mCreate(
        ['a', 'b', 'c', 'd'].map((id) => ({ _id: id, _source: { owner: id === 'd' ? 'other' : 'me' } })),
      );
      expect(await events.mDelete(['c', 'missing', 'a', 'c'])).toEqual(['c', 'a']);
      expect((await events.search()).hits.map((document) => document._id)).toEqual(['b', 'd']);
      expect(await events.mDelete([])).toEqual([]);
      expect(await events.mDelete(['a', 'c'])).toEqual([]);
    });

    it('of concurrent mDeletes of the same documents, each document is answered by exactly one', async () => {
      const events = await store().collection('events');
      const ids = Array.from({ length: 50 }, (_, n) => `doc-${n}`);
      await events.mCreate(ids.map((id) => ({ _id: id, _source: { id } })));
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, n) => events.mDelete(n % 2 === 0 ? ids : [...ids].reverse())),
      );
      expect(answers.flat().sort()).toEqual([...ids].sort());
      expect(await events.count()).toBe(0);
    });

    it('mDelete of many documents deletes them all (more than a statement binds at once)', async () => {
      const events = await store().collection('events');
      const ids = Array.from({ length: 2_000 }, (_, n) => `doc-${n}`);
      await events.mCreate(ids.map((id) => ({ _id: id, _source: {} })));
      expect(await events.count()).toBe(2_000);
      expect(await events.mDelete(ids)).toEqual(ids);
      expect(await events.count()).toBe(0);
    });

    it('refuses what is not an array of ids or of documents', async () => {
      const events = await store().collection('events');
      await expectError(events.mDelete('a' as unknown as string[]), 'api.assert.invalid_argument');
      await expectError(events.mDelete([''] as string[]), 'api.assert.invalid_argument');
      await expectError(
        events.mCreate([{ _source: 'text' }] as unknown as { _source: { n: number } }[]),
        'api.assert.invalid_argument',
      );
    });
  });
}
