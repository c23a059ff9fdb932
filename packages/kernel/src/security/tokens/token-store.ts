/**
 * The TokenStore port, and its implementation over the kernel's storage namespace.
 *
 * A store keeps one record per issued token, keyed by the sha256 of the token: never the token itself, so a
 * leaked store yields no usable token. The port names no storage type, so a Redis store can implement it.
 */
import { createHash } from 'node:crypto';
import {
  isTesseraError,
  type DocumentCollection,
  type JsonObject,
  type StorageNamespace,
  type StoredDocument,
} from '@tessera/plugin-sdk';
import { findAll } from '@tessera/store';

export type TokenType = 'authToken' | 'apiKey';

export interface TokenRecord {
  /** `hashToken(token)`: the record's id. */
  readonly hash: string;
  readonly kuid: string;
  readonly type: TokenType;
  /** Epoch ms, or -1: never expires. */
  readonly expiresAt: number;
  /** Milliseconds, or -1. */
  readonly ttl: number;
  readonly singleUse: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Shared by a token and every token refreshed from it, so reuse of an old one can revoke them all. */
  readonly chainId: string;
  /** Epoch ms at which this token was refreshed; null while it was not. */
  readonly refreshedAt: number | null;
  /** Names the token without revealing it (events, session lists). */
  readonly sessionId: string;
}

export interface TokenStore {
  /** Creates or replaces the record `record.hash`. */
  save(record: TokenRecord): Promise<void>;
  get(hash: string): Promise<TokenRecord | null>;
  /** True when this call deleted the record: of concurrent deletes of one record, exactly one gets true. */
  delete(hash: string): Promise<boolean>;
  /**
   * Sets `refreshedAt`. True when this call did; false when the record is missing or was refreshed already,
   * so of concurrent refreshes of one token, at most one succeeds.
   */
  markRefreshed(hash: string, at: number): Promise<boolean>;
  listByKuid(kuid: string): Promise<TokenRecord[]>;
  /** Deletes the user's auth tokens (never API keys), but `exceptSessionId`; returns what this call deleted. */
  deleteByKuid(kuid: string, options?: { exceptSessionId?: string }): Promise<TokenRecord[]>;
  /** Deletes every record of the chain; returns what this call deleted. */
  deleteChain(chainId: string): Promise<TokenRecord[]>;
  /** Deletes the records expired at `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

export interface StoredTokenStoreOptions {
  /** Records the read cache holds, least recently used evicted first; 0 turns it off. Default 10,000. */
  cacheSize?: number;
}

/** The id of a token's record: sha256 hex of the full token, prefix included. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type TokenSource = Omit<TokenRecord, 'hash'>;

const COLLECTION = 'tokens';
const DEFAULT_CACHE_SIZE = 10_000;

/**
 * A TokenStore in the `tokens` collection of `namespace`, behind an LRU cache of records (every request
 * verifies a token). The cache is this process's: a revocation made by another node through the same
 * database is not seen until the record leaves the cache, so several nodes need a shared store (Redis).
 */
export function createStoredTokenStore(
  namespace: StorageNamespace,
  options: StoredTokenStoreOptions = {},
): TokenStore {
  const cache = new LruCache<TokenRecord>(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  // Bumped after every committed write: a read that started before a write must not cache what it read.
  let writes = 0;
  // Revocations look records up by user and by refresh chain, and the purge by expiry: indexed, not scanned.
  const tokens = (): Promise<DocumentCollection<TokenSource>> =>
    namespace.collection<TokenSource>(COLLECTION, { indexed: ['kuid', 'chainId', 'expiresAt'] });

  const remember = (record: TokenRecord): void => {
    cache.set(record.hash, Object.freeze({ ...record }));
    writes++;
  };
  const forget = (hash: string): void => {
    cache.delete(hash);
    writes++;
  };

  const read = async (hash: string): Promise<TokenRecord | null> => {
    const document = await (await tokens()).get(hash);
    return document === null ? null : toRecord(document);
  };

  const deleteRecords = async (records: TokenRecord[]): Promise<TokenRecord[]> => {
    const deleted = await Promise.all(records.map((record) => store.delete(record.hash)));
    return records.filter((_record, i) => deleted[i]);
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
      remember(record);
    },

    async get(hash) {
      const cached = cache.get(hash);
      if (cached !== undefined) return cached;
      const before = writes;
      const record = await read(hash);
      if (record !== null && writes === before) cache.set(hash, record);
      return record;
    },

    async delete(hash) {
      const deleted = await (await tokens()).delete(hash);
      forget(hash);
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
      remember(toRecord({ _id: hash, _source: { ...current._source, refreshedAt: at } }));
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
      const purged = await (
        await tokens()
      ).deleteByQuery({ query: { range: { expiresAt: { gte: 0, lte: now } } } });
      cache.deleteWhere((record) => record.expiresAt !== -1 && record.expiresAt <= now);
      writes++;
      return purged;
    },
  };
  return Object.freeze(store);
}

/** Frozen: cached records are shared by every caller. */
function toRecord({ _id, _source }: StoredDocument<TokenSource>): TokenRecord {
  return Object.freeze({ hash: _id, ..._source });
}

/** A Map kept in use order: reading an entry moves it last, and the first entry is the one evicted. */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.capacity <= 0) return;
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteWhere(predicate: (value: V) => boolean): void {
    for (const [key, value] of this.entries) if (predicate(value)) this.entries.delete(key);
  }
}
