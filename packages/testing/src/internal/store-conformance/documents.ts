/** Conformance: single-document operations (create, get, mGet, replace, createOrReplace, update, delete). */
import { describe, expect, it } from '@jest/globals';
import { expectError, useStore, type StoreSetup } from './store-fixture';

export function describeDocuments(setup: StoreSetup): void {
  describe('documents', () => {
    const store = useStore(setup);

    it('creates a document with the given id and gets it back', async () => {
      const users = await store().collection('users');
      const created = await users.create({ name: 'Ada', roles: ['admin'], profile: { age: 36 } }, 'ada');
      expect(created).toEqual({
        _id: 'ada',
        _source: { name: 'Ada', roles: ['admin'], profile: { age: 36 } },
      });
      expect(await users.get('ada')).toEqual(created);
    });

    it('answers null for a missing document', async () => {
      const users = await store().collection('users');
      expect(await users.get('nobody')).toBeNull();
    });

    it('round-trips ids and values with quotes, unicode and large numbers', async () => {
      const users = await store().collection('users');
      const id = `it's "quoted" / ünïcødé 🔑`;
      const source = {
        text: `a'b"c\\d 🔒`,
        big: 9007199254740991,
        small: -0.000125,
        nested: [[1, [2]], { a: null }],
      };
      await users.create(source, id);
      expect(await users.get(id)).toEqual({ _id: id, _source: source });
    });

    it('generates distinct ids when create gets none', async () => {
      const users = await store().collection('users');
      const first = await users.create({ n: 1 });
      const second = await users.create({ n: 2 });
      expect(typeof first._id).toBe('string');
      expect(first._id).not.toBe('');
      expect(first._id).not.toBe(second._id);
      expect(await users.get(second._id)).toEqual({ _id: second._id, _source: { n: 2 } });
    });

    it('refuses to create a document whose id is taken, keeping the original', async () => {
      const users = await store().collection('users');
      await users.create({ n: 1 }, 'taken');
      await expectError(users.create({ n: 2 }, 'taken'), 'services.storage.document_already_exists');
      expect((await users.get('taken'))?._source).toEqual({ n: 1 });
    });

    it('lets exactly one of concurrent creates with the same id succeed', async () => {
      const users = await store().collection('users');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, n) => users.create({ n }, 'race')),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        expect(outcome.reason).toMatchObject({ id: 'services.storage.document_already_exists' });
      }
    });

    it('mGets the found documents in the order asked, skipping missing ids', async () => {
      const users = await store().collection('users');
      for (const id of ['a', 'b', 'c']) await users.create({ id }, id);
      const found = await users.mGet(['c', 'missing', 'a', 'b']);
      expect(found.map((d) => d._id)).toEqual(['c', 'a', 'b']);
      expect(found[0]?._source).toEqual({ id: 'c' });
      expect(await users.mGet([])).toEqual([]);
    });

    it('replaces a whole document', async () => {
      const users = await store().collection('users');
      await users.create({ a: 1, b: { c: 2 } }, 'doc');
      expect(await users.replace('doc', { b: { d: 3 } })).toEqual({ _id: 'doc', _source: { b: { d: 3 } } });
      expect((await users.get('doc'))?._source).toEqual({ b: { d: 3 } });
    });

    it('refuses to replace a missing document with not_found naming it', async () => {
      const users = await store().collection('users');
      const error = await expectError(users.replace('ghost', { a: 1 }), 'services.storage.not_found');
      expect(error.props).toEqual(['ghost', 'kernel', 'users']);
      expect(await users.get('ghost')).toBeNull();
    });

    it('createOrReplace creates, then replaces', async () => {
      const users = await store().collection('users');
      await users.createOrReplace('doc', { a: 1, b: 2 });
      expect((await users.get('doc'))?._source).toEqual({ a: 1, b: 2 });
      expect(await users.createOrReplace('doc', { c: 3 })).toEqual({ _id: 'doc', _source: { c: 3 } });
      expect((await users.get('doc'))?._source).toEqual({ c: 3 });
    });

    it('updates by deep merge: objects merge, arrays and scalars replace, null sets null', async () => {
      const users = await store().collection('users');
      await users.create(
        { profile: { name: 'Ada', langs: ['en', 'fr'], age: 36 }, flag: { on: true }, n: 1 },
        'doc',
      );
      const expected = {
        profile: { name: 'Ada', langs: ['it'], age: null, city: { name: 'London' } },
        flag: 'off',
        n: 1,
        added: [1, 2],
      };
      const updated = await users.update('doc', {
        profile: { langs: ['it'], age: null, city: { name: 'London' } },
        flag: 'off',
        added: [1, 2],
      });
      expect(updated).toEqual({ _id: 'doc', _source: expected });
      expect((await users.get('doc'))?._source).toEqual(expected);
    });

    it('replaces a scalar by an object on update', async () => {
      const users = await store().collection('users');
      await users.create({ a: 1 }, 'doc');
      expect((await users.update('doc', { a: { b: 2 } }))._source).toEqual({ a: { b: 2 } });
    });

    it('refuses to update a missing document with not_found', async () => {
      const users = await store().collection('users');
      await expectError(users.update('ghost', { a: 1 }), 'services.storage.not_found');
      expect(await users.get('ghost')).toBeNull();
    });

    it('deletes: true when there was a document, false when there was none', async () => {
      const users = await store().collection('users');
      await users.create({ a: 1 }, 'doc');
      expect(await users.delete('doc')).toBe(true);
      expect(await users.get('doc')).toBeNull();
      expect(await users.delete('doc')).toBe(false);
    });

    it('keeps its own copy: changing the caller object afterwards changes nothing stored', async () => {
      const users = await store().collection('users');
      const source = { list: [1], nested: { a: 1 } };
      await users.create(source, 'doc');
      source.list.push(2);
      source.nested.a = 2;
      expect((await users.get('doc'))?._source).toEqual({ list: [1], nested: { a: 1 } });
    });

    it('drops top-level undefined members like JSON does', async () => {
      const users = await store().storage().collection<{ a: number; b?: number }>('users');
      await users.create({ a: 1, b: undefined }, 'doc');
      expect((await users.get('doc'))?._source).toEqual({ a: 1 });
      expect(Object.keys((await users.get('doc'))?._source ?? {})).toEqual(['a']);
    });

    it.each([
      ['a string', 'text'],
      ['an array', [1, 2]],
      ['null', null],
      ['a class instance', new Date(0)],
    ])('refuses %s as a document source', async (_, source) => {
      const users = await store().collection('users');
      await expectError(users.create(source as never, 'doc'), 'api.assert.invalid_argument');
      expect(await users.get('doc')).toBeNull();
    });

    it.each([
      ['a function', { f: () => 1 }],
      ['NaN', { n: Number.NaN }],
      ['Infinity', { n: Number.POSITIVE_INFINITY }],
      ['a bigint', { n: BigInt(1) }],
      ['a Date', { when: new Date(0) }],
      ['undefined in an array', { list: [1, undefined] }],
    ])('refuses a source holding %s', async (_, source) => {
      const users = await store().collection('users');
      await expectError(users.create(source as never, 'doc'), 'api.assert.invalid_argument');
      await expectError(users.createOrReplace('doc', source as never), 'api.assert.invalid_argument');
      expect(await users.get('doc')).toBeNull();
    });

    it('refuses an empty or non-string id', async () => {
      const users = await store().collection('users');
      await expectError(users.create({ a: 1 }, ''), 'api.assert.invalid_argument');
      await expectError(users.get(42 as never), 'api.assert.invalid_argument');
      await expectError(users.mGet(['a', 7] as never), 'api.assert.invalid_argument');
    });
  });
}
