/**
 * Conformance: document versions and conditional writes (compare-and-set on a version), updates that never
 * lose a concurrent change, and the port's writes that answer the document as it was.
 */
import { describe, expect, it } from '@jest/globals';
import type { CollectionRef } from '@tessera/store';
import { expectError, useStore, type StoreSetup } from './store-fixture';

const REF: CollectionRef = { namespace: 'kernel', collection: 'versioned' };

export function describeVersions(setup: StoreSetup): void {
  describe('versions and conditional writes', () => {
    const store = useStore(setup);
    const collection = () => store().collection('versioned');

    it('starts a document at version 1 and counts every write', async () => {
      const documents = await collection();
      await documents.create({ n: 0 }, 'doc');
      expect(await documents.getVersioned('doc')).toEqual({ _id: 'doc', _source: { n: 0 }, _version: 1 });
      await documents.replace('doc', { n: 1 });
      await documents.update('doc', { m: 2 });
      await documents.createOrReplace('doc', { n: 3 });
      expect(await documents.getVersioned('doc')).toEqual({ _id: 'doc', _source: { n: 3 }, _version: 4 });
      await documents.delete('doc');
      await documents.createOrReplace('doc', { n: 4 });
      expect((await documents.getVersioned('doc'))?._version).toBe(1);
      expect(await documents.getVersioned('missing')).toBeNull();
    });

    it('keeps versions out of the plain reads', async () => {
      const documents = await collection();
      await documents.create({ n: 0 }, 'doc');
      expect(await documents.get('doc')).toEqual({ _id: 'doc', _source: { n: 0 } });
      expect(await documents.mGet(['doc'])).toEqual([{ _id: 'doc', _source: { n: 0 } }]);
      expect((await documents.search()).hits).toEqual([{ _id: 'doc', _source: { n: 0 } }]);
    });

    it('writes on the version read, and refuses a stale one without writing', async () => {
      const documents = await collection();
      await documents.create({ n: 0 }, 'doc');
      await documents.replace('doc', { n: 1 }, { ifVersion: 1 });
      await documents.update('doc', { m: 1 }, { ifVersion: 2 });
      const error = await expectError(
        documents.replace('doc', { n: 'stale' }, { ifVersion: 2 }),
        'services.storage.version_conflict',
      );
      expect(error.props).toEqual(['doc', '2']);
      expect(error.status).toBe(409);
      await expectError(
        documents.update('doc', { n: 'stale' }, { ifVersion: 1 }),
        'services.storage.version_conflict',
      );
      await expectError(documents.delete('doc', { ifVersion: 2 }), 'services.storage.version_conflict');
      expect(await documents.getVersioned('doc')).toEqual({
        _id: 'doc',
        _source: { n: 1, m: 1 },
        _version: 3,
      });
      expect(await documents.delete('doc', { ifVersion: 3 })).toBe(true);
      expect(await documents.get('doc')).toBeNull();
    });

    it('answers not_found (or false) for a conditional write on a missing document', async () => {
      const documents = await collection();
      await expectError(documents.replace('ghost', { n: 1 }, { ifVersion: 1 }), 'services.storage.not_found');
      await expectError(documents.update('ghost', { n: 1 }, { ifVersion: 1 }), 'services.storage.not_found');
      expect(await documents.delete('ghost', { ifVersion: 1 })).toBe(false);
    });

    it('lets exactly one of 10 concurrent writes on one version succeed', async () => {
      const documents = await collection();
      await documents.create({ winner: null }, 'doc');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, n) => documents.replace('doc', { winner: n }, { ifVersion: 1 })),
      );
      const won = outcomes.flatMap((outcome, n) => (outcome.status === 'fulfilled' ? [n] : []));
      expect(won).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        expect(outcome.reason).toMatchObject({ id: 'services.storage.version_conflict' });
      }
      expect(await documents.getVersioned('doc')).toEqual({
        _id: 'doc',
        _source: { winner: won[0] },
        _version: 2,
      });
    });

    it('loses no change of 20 concurrent updates of one document', async () => {
      const documents = await collection();
      await documents.create({ counts: {} }, 'doc');
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => documents.update('doc', { counts: { [`n${n}`]: n } })),
      );
      const updated = await documents.getVersioned('doc');
      expect(Object.keys((updated?._source as { counts: object }).counts)).toHaveLength(20);
      expect(updated?._version).toBe(21);
    });

    it.each([
      ['version 0', { ifVersion: 0 }],
      ['a string version', { ifVersion: '1' }],
      ['a fractional version', { ifVersion: 1.5 }],
      ['an unknown key', { ifSeqNo: 1 }],
      ['a non-object', 'v1'],
    ])('refuses a condition with %s', async (_, condition) => {
      const documents = await collection();
      await documents.create({ n: 0 }, 'doc');
      await expectError(
        documents.replace('doc', { n: 1 }, condition as never),
        'api.assert.invalid_argument',
      );
      await expectError(documents.delete('doc', condition as never), 'api.assert.invalid_argument');
      expect(await documents.getVersioned('doc')).toEqual({ _id: 'doc', _source: { n: 0 }, _version: 1 });
    });

    it('has the port answer the document as it was from replace, put and delete', async () => {
      await collection();
      const { adapter } = store();
      await adapter.create(REF, 'doc', { n: 0 });
      expect(await adapter.replace(REF, 'doc', { n: 1 })).toEqual({
        _id: 'doc',
        _source: { n: 0 },
        _version: 1,
      });
      expect(await adapter.replace(REF, 'ghost', { n: 1 })).toBeNull();
      expect(await adapter.put(REF, 'doc', { n: 2 })).toEqual({ _id: 'doc', _source: { n: 1 }, _version: 2 });
      expect(await adapter.put(REF, 'new', { n: 0 })).toBeNull();
      expect(await adapter.delete(REF, 'doc', { ifVersion: 3 })).toEqual({
        _id: 'doc',
        _source: { n: 2 },
        _version: 3,
      });
      expect(await adapter.delete(REF, 'doc')).toBeNull();
      expect(await adapter.get(REF, 'new')).toEqual({ _id: 'new', _source: { n: 0 }, _version: 1 });
    });
  });
}
