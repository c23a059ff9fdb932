/** Conformance: namespaces never see each other's documents, and invalid names never reach the adapter. */
import { describe, expect, it } from '@jest/globals';
import { createStorageNamespace } from '@tessera/store';
import { expectError, useStore, type StoreSetup } from './store-fixture';

const NAMESPACES = ['kernel', 'plugin:a', 'plugin:b'];

export function describeNamespaces(setup: StoreSetup): void {
  describe('namespaces', () => {
    const store = useStore(setup);
    const usersOf = (namespace: string) => store().storage(namespace).collection('users');

    it('keeps same-named collections of different namespaces apart', async () => {
      for (const namespace of NAMESPACES) {
        await (await usersOf(namespace)).create({ owner: namespace }, 'same');
      }
      for (const namespace of NAMESPACES) {
        const users = await usersOf(namespace);
        expect((await users.get('same'))?._source).toEqual({ owner: namespace });
        expect((await users.mGet(['same']))[0]?._source).toEqual({ owner: namespace });
        const all = await users.search();
        expect(all.total).toBe(1);
        expect(all.hits[0]?._source).toEqual({ owner: namespace });
        expect(await users.count({ query: { term: { owner: namespace } } })).toBe(1);
      }
    });

    it('lists every collection it holds, of every namespace, with a long name as it was given', async () => {
      const long = `c${'x'.repeat(62)}`;
      for (const namespace of NAMESPACES) await usersOf(namespace);
      await store()
        .storage('plugin:a')
        .collection(long, { unique: ['name'] });
      const listed = (await store().adapter.collections()).map((ref) => `${ref.namespace} ${ref.collection}`);
      expect(listed.sort()).toEqual(
        [...NAMESPACES.map((namespace) => `${namespace} users`), `plugin:a ${long}`].sort(),
      );
      const declared = await store().adapter.ensureCollection(
        { namespace: 'plugin:a', collection: long },
        { unique: [], indexed: [] },
      );
      expect(declared).toEqual({ unique: ['name'], indexed: [] });
    });

    it('deletes in one namespace only', async () => {
      for (const namespace of NAMESPACES) {
        const users = await usersOf(namespace);
        await users.create({ owner: namespace }, 'same');
        await users.create({ owner: namespace }, 'other');
      }
      const a = await usersOf('plugin:a');
      expect(await a.delete('same')).toBe(true);
      expect(await a.deleteByQuery({})).toBe(1);
      expect(await a.count()).toBe(0);
      expect(await (await usersOf('plugin:b')).count()).toBe(2);
      expect(await (await usersOf('kernel')).count()).toBe(2);
    });

    it('names itself', () => {
      expect(store().storage('plugin:a').name).toBe('plugin:a');
    });

    it.each([
      '',
      'Kernel',
      'other',
      'plugin:',
      'plugin:A',
      'plugin:1a',
      'plugin:a/b',
      'plugin:a b',
      'plugins:a',
      '__proto__',
    ])('refuses the namespace %j', async (namespace) => {
      await expectError(
        () => createStorageNamespace(store().adapter, namespace),
        'services.storage.invalid_namespace',
      );
    });

    it.each(['', 'Users', '1users', '_users', 'us ers', 'a/b', '../users', 'a'.repeat(64), '__proto__'])(
      'refuses the collection name %j',
      async (name) => {
        await expectError(store().collection(name), 'services.storage.invalid_collection_name');
      },
    );

    it('accepts collection names up to 63 characters with digits, _ and -', async () => {
      const name = `a${'b-_9'.repeat(15)}cd`;
      expect(name).toHaveLength(63);
      const collection = await store().collection(name);
      await collection.create({ ok: true }, 'x');
      expect(collection.name).toBe(name);
      expect(await collection.count()).toBe(1);
    });
  });
}
