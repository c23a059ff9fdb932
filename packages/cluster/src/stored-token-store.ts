/**
 * The TokenStore over a storage namespace (the kernel's `tokens` collection): one node's default, on the same
 * database as everything else. Records are read through a CoherentCache (every request verifies a token), so
 * nodes sharing the database through a real ClusterBus see each other's revocations too.
 */
import {
  isTesseraError,
  type JsonObject,
  type StorageNamespace,
  type StoredDocument,
} from '@tessera/plugin-sdk';
import { findAll } from '@tessera/store';
import type { ClusterBus } from './cluster-bus';
import { CoherentCache } from './coherent-cache';
import { TOKEN_CACHE, type TokenRecord, type TokenStore } from './token-store';

export interface StoredTokenStoreOptions {
  /** Keeps the read cache of every node true. */
  readonly bus: ClusterBus;
  /** Records the read cache holds, least recently used evicted first; 0 turns it off. Default 10,000. */
  readonly cacheSize?: number;
}

type TokenSource = Omit<TokenRecord, 'hash'>;

const COLLECTION = 'tokens';
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

export function createStoredTokenStore(
  namespace: StorageNamespace,
  { bus, cacheSize = DEFAULT_TOKEN_CACHE_SIZE }: StoredTokenStoreOptions,
): TokenStore {
  const cache = new CoherentCache<TokenRecord>({ name: TOKEN_CACHE, bus, max: cacheSize });
  // Revocations look records up by user and by refresh chain, and the purge by expiry: indexed, not scanned.
  const tokens = () =>
    namespace.collection<TokenSource>(COLLECTION, { indexed: ['kuid', 'chainId', 'expiresAt'] });

  /** One store write for them all (one transaction on SQLite and PostgreSQL), one invalidation message. */
  const deleteRecords = async (records: TokenRecord[]): Promise<TokenRecord[]> => {
    if (records.length === 0) return [];
    const hashes = records.map((record) => record.hash);
    try {
      const deleted = new Set(await (await tokens()).mDelete(hashes));
      return records.filter((record) => deleted.has(record.hash));
    } finally {
      // Every record that may be gone is forgotten everywhere, even when the delete failed.
      await cache.invalidate(hashes);
    }
  };

  /** Every record matching all of `filters`. */
  const find = async (filters: JsonObject[]): Promise<TokenRecord[]> => {
    const documents = await findAll(await tokens(), { bool: { filter: filters } });
    return documents.map(toRecord);
  };

  const store: TokenStore = {
    async save(record) {
      const { hash, ...source } = record;
      await (await tokens()).createOrReplace(hash, source);
      cache.set(hash, Object.freeze({ ...record }));
    },

    get(hash) {
      return cache.read(hash, async () => {
        const document = await (await tokens()).get(hash);
        return document === null ? null : toRecord(document);
      });
    },

    cached: (hash) => cache.get(hash),

    async delete(hash) {
      const deleted = await (await tokens()).delete(hash);
      await cache.invalidate([hash]);
      return deleted;
    },

    /** A compare-and-set on the record's version: of concurrent refreshes, on any number of nodes, one wins. */
    async markRefreshed(hash, at) {
      const collection = await tokens();
      const current = await collection.getVersioned(hash);
      if (current === null || current._source.refreshedAt !== null) return false;
      try {
        await collection.update(hash, { refreshedAt: at }, { ifVersion: current._version });
      } catch (error) {
        // Another write came first (a refresh), or the record went (a revocation): not refreshed by this call.
        const lost = ['services.storage.version_conflict', 'services.storage.not_found'];
        if (isTesseraError(error) && lost.includes(error.id)) return false;
        throw error;
      }
      await cache.invalidate([hash]);
      return true;
    },

    listByKuid(kuid) {
      return find([{ term: { kuid } }]);
    },

    async deleteByKuid(kuid, { exceptSessionId } = {}) {
      const records = await find([{ term: { kuid } }, { term: { type: 'authToken' } }]);
      return deleteRecords(records.filter((record) => record.sessionId !== exceptSessionId));
    },

    async deleteChain(chainId) {
      return deleteRecords(await find([{ term: { chainId } }]));
    },

    async purgeExpired(now) {
      const expired = { range: { expiresAt: { gte: 0, lte: now } } };
      // Cached copies need no invalidation: an expired record is refused wherever it is read from.
      return (await tokens()).deleteByQuery({ query: expired });
    },
  };
  return Object.freeze(store);
}

/** Frozen: cached records are shared by every caller. */
function toRecord({ _id, _source }: StoredDocument<TokenSource>): TokenRecord {
  return Object.freeze({ hash: _id, ..._source });
}
