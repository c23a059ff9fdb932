/**
 * The security collections' cache is bounded: past its size, the document read least recently is dropped, so
 * a store with more users than the cache holds keeps memory flat.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStorageNamespace } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { SecurityCollection, type Stored } from '../../src/security/accounts/security-collection';

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
});
