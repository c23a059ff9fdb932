/**
 * The security collections' cache is bounded: past its size, the document read least recently is dropped, so
 * a store with more users than the cache holds keeps memory flat. It is coherent across the nodes of a
 * cluster: a write on one node is forgotten by every node before its change event fires.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLoopbackNetwork, createLocalBus } from '@tessera/cluster';
import { createStorageNamespace } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import {
  SecurityCollection,
  type SecurityChange,
  type Stored,
} from '../../src/security/accounts/security-collection';

describe('SecurityCollection cache', () => {
  it('keeps at most cacheSize documents, dropping the least recently read', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'tessera-cache-'));
    const adapter = createSqliteStore({ path: path.join(folder, 'kernel.db') });
    await adapter.open();
    try {
      const documents = await createStorageNamespace(adapter, 'kernel').collection<Stored<JsonObject>>(
        'users',
      );
      const reads: string[] = [];
      const counted = {
        ...documents,
        name: documents.name,
        get(id: string) {
          reads.push(id);
          return documents.get(id);
        },
      };
      const users = new SecurityCollection<JsonObject>(counted, {
        name: 'users',
        clusterBus: createLocalBus(),
        cacheSize: 2,
        now: Date.now,
        notFound: 'security.user.not_found',
      });
      for (const id of ['a', 'b', 'c']) await users.create(id, {}, null);

      await users.find('a');
      await users.find('b');
      await users.find('a'); // a is now the most recent: b goes first
      await users.find('c');
      reads.length = 0;
      await users.find('a');
      await users.find('c');
      expect(reads).toEqual([]);
      await users.find('b');
      expect(reads).toEqual(['b']);
    } finally {
      await adapter.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a write on one node is forgotten by the others before its change event fires', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'tessera-cache-'));
    const adapter = createSqliteStore({ path: path.join(folder, 'kernel.db') });
    await adapter.open();
    try {
      const network = createLoopbackNetwork();
      const namespace = createStorageNamespace(adapter, 'kernel');
      const seenByB: unknown[] = [];
      const open = async (onChange?: (change: SecurityChange) => void) =>
        new SecurityCollection<JsonObject>(await namespace.collection<Stored<JsonObject>>('roles'), {
          name: 'roles',
          clusterBus: network.join(),
          cacheSize: 10,
          now: Date.now,
          notFound: 'security.role.not_found',
          onChange,
        });
      const b = await open();
      const a = await open((change) => {
        seenByB.push({ change, cached: b.peek(change.id)?._source.level });
      });
      await a.create('r', { level: 1 }, 'admin');
      expect((await b.get('r'))._source.level).toBe(1);
      await a.update('r', () => ({ level: 2 }), 'admin');
      expect((await b.get('r'))._source.level).toBe(2);
      await a.delete('r', 'admin');
      expect(await b.find('r')).toBeNull();
      await expect(a.delete('r', 'admin')).rejects.toMatchObject({ id: 'security.role.not_found' });
      expect(seenByB).toEqual([
        { change: { id: 'r', verb: 'created', actor: 'admin' }, cached: undefined },
        { change: { id: 'r', verb: 'updated', actor: 'admin' }, cached: undefined },
        { change: { id: 'r', verb: 'deleted', actor: 'admin' }, cached: undefined },
      ]);
    } finally {
      await adapter.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
