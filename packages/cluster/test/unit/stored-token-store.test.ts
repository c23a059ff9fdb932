import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DocumentCollection, StorageNamespace } from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { createStorageNamespace, type StoreAdapter } from '@tessera/store';
import {
  createLocalBus,
  createLoopbackNetwork,
  createStoredTokenStore,
  hashToken,
  type TokenRecord,
  type TokenStore,
} from '../../src';

const NOW = 1_800_000_000_000;

let sequence = 0;

/** A record for a made-up token; `overrides` set what the test is about. */
function record(overrides: Partial<TokenRecord> = {}): TokenRecord {
  sequence++;
  return {
    hash: hashToken(`kauth-token-${sequence}`),
    kuid: 'alice',
    type: 'authToken',
    expiresAt: NOW + 3_600_000,
    ttl: 3_600_000,
    singleUse: false,
    createdAt: NOW,
    chainId: `chain-${sequence}`,
    refreshedAt: null,
    sessionId: `session-${sequence}`,
    ...overrides,
  };
}

/** The adapter, counting its calls by method; a method named in `failures` rejects with its error instead. */
function countCalls(adapter: StoreAdapter, failures: Record<string, Error> = {}) {
  const counts = new Map<string, number>();
  const counting = new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        counts.set(property, (counts.get(property) ?? 0) + 1);
        const failure = failures[property];
        return failure === undefined ? method.apply(target, args) : Promise.reject(failure);
      };
    },
  });
  return { adapter: counting, counts };
}

describe('createStoredTokenStore', () => {
  let workdir: string;
  let adapter: StoreAdapter;
  let namespace: StorageNamespace;
  let documents: DocumentCollection;
  let store: TokenStore;

  beforeEach(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'tessera-token-store-'));
    adapter = createSqliteStore({ path: path.join(workdir, 'store.db') });
    await adapter.open();
    namespace = createStorageNamespace(adapter, 'kernel');
    documents = await namespace.collection('tokens');
    store = createStoredTokenStore(namespace, { bus: createLocalBus() });
  });

  afterEach(async () => {
    await adapter.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('hashToken is the sha256 hex of the whole token', () => {
    expect(hashToken('kauth-abc')).toBe(createHash('sha256').update('kauth-abc').digest('hex'));
  });

  it('saves a record as a document keyed by its hash, without the hash in the source', async () => {
    const saved = record();

    await store.save(saved);

    const { hash, ...source } = saved;
    await expect(documents.get(hash)).resolves.toEqual({ _id: hash, _source: source });
    await expect(store.get(hash)).resolves.toEqual(saved);
    await expect(store.get(hashToken('never saved'))).resolves.toBeNull();
  });

  it('keeps the key generation of a record, and reads a record without one as it was written', async () => {
    const withKey = record({ keyId: 'generation-1' });
    const { keyId: _none, ...legacy } = record();
    await store.save(withKey);
    await store.save(legacy);

    const fresh = createStoredTokenStore(namespace, { bus: createLocalBus() });
    await expect(fresh.get(withKey.hash)).resolves.toHaveProperty('keyId', 'generation-1');
    await expect(fresh.get(legacy.hash)).resolves.not.toHaveProperty('keyId');
    await fresh.markRefreshed(withKey.hash, NOW + 1);
    await expect(fresh.get(withKey.hash)).resolves.toMatchObject({
      keyId: 'generation-1',
      refreshedAt: NOW + 1,
    });
  });

  it('cached answers from memory only: what this node saved or read, never a deleted record', async () => {
    const [saved, other] = [record(), record()];
    await store.save(saved);
    const fresh = createStoredTokenStore(namespace, { bus: createLocalBus() });
    await fresh.save(other);

    expect(store.cached(saved.hash)).toEqual(saved);
    expect(fresh.cached(saved.hash)).toBeUndefined(); // in the database, not yet read by this node
    await fresh.get(saved.hash);
    expect(fresh.cached(saved.hash)).toEqual(saved);
    await store.delete(saved.hash);
    expect(store.cached(saved.hash)).toBeUndefined();
    expect(
      createStoredTokenStore(namespace, { bus: createLocalBus(), cacheSize: 0 }).cached(other.hash),
    ).toBeUndefined();
  });

  it('delete is true for the call that deleted the record, false after', async () => {
    const saved = record();
    await store.save(saved);

    const outcomes = await Promise.all([store.delete(saved.hash), store.delete(saved.hash)]);

    expect(outcomes.sort()).toEqual([false, true]);
    await expect(store.get(saved.hash)).resolves.toBeNull();
  });

  describe('markRefreshed', () => {
    it('marks a record once: true, then false; false for a missing record', async () => {
      const saved = record();
      await store.save(saved);

      await expect(store.markRefreshed(saved.hash, NOW + 5)).resolves.toBe(true);
      await expect(store.markRefreshed(saved.hash, NOW + 6)).resolves.toBe(false);
      await expect(store.markRefreshed(hashToken('missing'), NOW)).resolves.toBe(false);

      await expect(store.get(saved.hash)).resolves.toHaveProperty('refreshedAt', NOW + 5);
    });

    it('lets one of two concurrent calls win', async () => {
      const saved = record();
      await store.save(saved);

      const outcomes = await Promise.all([
        store.markRefreshed(saved.hash, NOW),
        store.markRefreshed(saved.hash, NOW),
      ]);

      expect(outcomes.sort()).toEqual([false, true]);
    });
  });

  describe('queries', () => {
    it('listByKuid finds every record of one kuid, past one page of results', async () => {
      const many = Array.from({ length: 1001 }, () => record({ kuid: 'many' }));
      for (const saved of many) await store.save(saved);
      await store.save(record({ kuid: 'other' }));

      const listed = await store.listByKuid('many');

      expect(listed).toHaveLength(1001);
      expect(new Set(listed.map((found) => found.hash))).toEqual(new Set(many.map((saved) => saved.hash)));
    });

    it("deleteByKuid deletes the user's auth tokens but the kept session, and returns them", async () => {
      const tokens = [record(), record(), record()];
      const kept = record();
      const apiKey = record({ type: 'apiKey' });
      const bobs = record({ kuid: 'bob' });
      for (const saved of [...tokens, kept, apiKey, bobs]) await store.save(saved);

      const deleted = await store.deleteByKuid('alice', { exceptSessionId: kept.sessionId });

      expect(new Set(deleted)).toEqual(new Set(tokens));
      for (const gone of tokens) await expect(store.get(gone.hash)).resolves.toBeNull();
      for (const stays of [kept, apiKey, bobs]) await expect(store.get(stays.hash)).resolves.toEqual(stays);
      await expect(store.deleteByKuid('alice')).resolves.toEqual([kept]);
    });

    it("deleteByKuid of 1,000 tokens deletes them in one store write and leaves other users' alone", async () => {
      const calls = countCalls(adapter);
      const counted = createStoredTokenStore(createStorageNamespace(calls.adapter, 'kernel'), {
        bus: createLocalBus(),
      });
      const many = Array.from({ length: 1000 }, () => record({ kuid: 'many' }));
      const others = [record({ kuid: 'bob' }), record({ kuid: 'many', type: 'apiKey' })];
      for (const saved of [...many, ...others]) await counted.save(saved);
      calls.counts.clear();

      const deleted = await counted.deleteByKuid('many');

      expect(new Set(deleted)).toEqual(new Set(many));
      expect(calls.counts.get('mDelete')).toBe(1);
      expect(calls.counts.get('delete')).toBeUndefined();
      await expect(documents.mGet(many.map((gone) => gone.hash))).resolves.toEqual([]);
      for (const stays of others) await expect(counted.get(stays.hash)).resolves.toEqual(stays);
    });

    it('of concurrent deleteByKuid calls, each record is returned by exactly one', async () => {
      const many = Array.from({ length: 200 }, () => record({ kuid: 'many' }));
      for (const saved of many) await store.save(saved);

      const answers = await Promise.all([store.deleteByKuid('many'), store.deleteByKuid('many')]);

      const hashes = answers.flat().map((deleted) => deleted.hash);
      expect(hashes.sort()).toEqual(many.map((saved) => saved.hash).sort());
    });

    it('a failing delete is reported, and the records are forgotten by every node all the same', async () => {
      const failing = countCalls(adapter, { mDelete: new Error('the database is gone') });
      const network = createLoopbackNetwork();
      const a = createStoredTokenStore(createStorageNamespace(failing.adapter, 'kernel'), {
        bus: network.join('a'),
      });
      const b = createStoredTokenStore(namespace, { bus: network.join('b') });
      const saved = record();
      await a.save(saved);
      await b.get(saved.hash);
      expect(b.cached(saved.hash)).toEqual(saved);

      await expect(a.deleteByKuid('alice')).rejects.toThrow('the database is gone');

      expect(a.cached(saved.hash)).toBeUndefined();
      expect(b.cached(saved.hash)).toBeUndefined();
    });

    it('deleteChain deletes the records of one chain and returns them', async () => {
      const chain = [record({ chainId: 'c1' }), record({ chainId: 'c1', kuid: 'alice', refreshedAt: NOW })];
      const other = record({ chainId: 'c2' });
      for (const saved of [...chain, other]) await store.save(saved);

      const deleted = await store.deleteChain('c1');

      expect(new Set(deleted)).toEqual(new Set(chain));
      await expect(store.get(other.hash)).resolves.toEqual(other);
      await expect(store.deleteChain('c1')).resolves.toEqual([]);
    });

    it('purgeExpired deletes what expired at `now` and keeps the rest', async () => {
      const expired = [record({ expiresAt: NOW - 1 }), record({ expiresAt: NOW })];
      const kept = [record({ expiresAt: NOW + 1 }), record({ expiresAt: -1, ttl: -1 })];
      for (const saved of [...expired, ...kept]) await store.save(saved);

      await expect(store.purgeExpired(NOW)).resolves.toBe(2);

      for (const gone of expired) await expect(documents.get(gone.hash)).resolves.toBeNull();
      for (const stays of kept) await expect(store.get(stays.hash)).resolves.toEqual(stays);
    });
  });

  describe('read cache', () => {
    it('serves get from memory once read (a delete behind its back is not seen)', async () => {
      const saved = record();
      await store.save(saved);

      await documents.delete(saved.hash);

      await expect(store.get(saved.hash)).resolves.toEqual(saved);
      // Without a cache every read reaches storage.
      await expect(
        createStoredTokenStore(namespace, { bus: createLocalBus(), cacheSize: 0 }).get(saved.hash),
      ).resolves.toBeNull();
    });

    it('fills the cache on a read', async () => {
      const saved = record();
      await store.save(saved);
      const fresh = createStoredTokenStore(namespace, { bus: createLocalBus() });
      await fresh.get(saved.hash);

      await documents.delete(saved.hash);

      await expect(fresh.get(saved.hash)).resolves.toEqual(saved);
    });

    it('evicts the least recently used record first', async () => {
      const small = createStoredTokenStore(namespace, { bus: createLocalBus(), cacheSize: 2 });
      const [a, b, c] = [record(), record(), record()];
      await small.save(a);
      await small.save(b);
      await small.get(a.hash); // a is now more recent than b
      await small.save(c);

      for (const saved of [a, b, c]) await documents.delete(saved.hash);

      await expect(small.get(a.hash)).resolves.toEqual(a);
      await expect(small.get(b.hash)).resolves.toBeNull();
      await expect(small.get(c.hash)).resolves.toEqual(c);
    });

    it('sees every write made through the store', async () => {
      const saved = record();
      await store.save(saved);
      await store.get(saved.hash);

      await store.markRefreshed(saved.hash, NOW);
      await expect(store.get(saved.hash)).resolves.toHaveProperty('refreshedAt', NOW);
      await store.save({ ...saved, refreshedAt: null, sessionId: 'replaced' });
      await expect(store.get(saved.hash)).resolves.toHaveProperty('sessionId', 'replaced');
      await store.deleteChain(saved.chainId);
      await expect(store.get(saved.hash)).resolves.toBeNull();
    });

    it('does not cache what a read returns after a delete committed', async () => {
      const saved = record();
      await store.save(saved);
      // Reads of this namespace find their document, then wait for the test to let them return.
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slowReads: StorageNamespace = {
        name: namespace.name,
        async collection<T extends object>(name: string) {
          const collection = await namespace.collection<T>(name);
          const get = async (id: string) => {
            const document = await collection.get(id);
            await held;
            return document;
          };
          return { ...collection, get };
        },
      };
      const fresh = createStoredTokenStore(slowReads, { bus: createLocalBus() });

      const reading = fresh.get(saved.hash);
      await new Promise((resolve) => setImmediate(resolve));
      await fresh.delete(saved.hash);
      release();

      await expect(reading).resolves.toEqual(saved); // it read before the delete: fine, but not to be kept
      await expect(fresh.get(saved.hash)).resolves.toBeNull();
    });

    it('hands out records that callers cannot change', async () => {
      const saved = record();
      await store.save(saved);

      const got = await store.get(saved.hash);

      expect(Object.isFrozen(got)).toBe(true);
    });
  });

  describe('nodes sharing the database through a ClusterBus', () => {
    /** Two stores over one database, each with its own cache, on one loopback network. */
    function twoNodes() {
      const network = createLoopbackNetwork();
      return [
        createStoredTokenStore(namespace, { bus: network.join('a') }),
        createStoredTokenStore(namespace, { bus: network.join('b') }),
      ] as const;
    }

    it('a delete on one node is not served from the cache of the other once it resolved', async () => {
      const [a, b] = twoNodes();
      const saved = record();
      await a.save(saved);
      await expect(b.get(saved.hash)).resolves.toEqual(saved); // now in b's cache

      await a.delete(saved.hash);

      await expect(b.get(saved.hash)).resolves.toBeNull();
    });

    it('a record deleted on one node is no longer cached on the other once the delete resolved', async () => {
      const [a, b] = twoNodes();
      const saved = record();
      await a.save(saved);
      await b.get(saved.hash);
      expect(b.cached(saved.hash)).toEqual(saved);

      await a.delete(saved.hash);

      expect(b.cached(saved.hash)).toBeUndefined();
    });

    it('a refresh marked on one node is what the other node reads next', async () => {
      const [a, b] = twoNodes();
      const saved = record();
      await a.save(saved);
      await b.get(saved.hash);

      await expect(a.markRefreshed(saved.hash, NOW + 7)).resolves.toBe(true);

      await expect(b.get(saved.hash)).resolves.toHaveProperty('refreshedAt', NOW + 7);
      await expect(b.markRefreshed(saved.hash, NOW + 8)).resolves.toBe(false);
    });

    it("a user's tokens and a chain deleted on one node are gone from the other's cache", async () => {
      const [a, b] = twoNodes();
      const mine = [record({ chainId: 'c' }), record()];
      for (const saved of mine) await a.save(saved);
      for (const saved of mine) await b.get(saved.hash);

      await a.deleteChain('c');
      await expect(b.get(mine[0]!.hash)).resolves.toBeNull();
      await expect(b.get(mine[1]!.hash)).resolves.toEqual(mine[1]);

      await a.deleteByKuid('alice');
      await expect(b.get(mine[1]!.hash)).resolves.toBeNull();
    });
  });
});
