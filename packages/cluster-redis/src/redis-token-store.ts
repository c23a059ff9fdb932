/**
 * The TokenStore on Redis, shared by every node of a cluster.
 *
 * Keys (under the prefix): `token:<sha256 of the token>` is a hash holding the record, expiring with the token;
 * `tokens-of:<kuid>` and `chain:<chainId>` are sets of record hashes (a user's sessions, a refresh chain), which
 * expire with the last of their tokens and lose members lazily, when read. No key ever holds a token.
 *
 * What must be atomic across nodes is one script each: a delete removes the record and its index entries and
 * says whether this call did it; a refresh sets `refreshedAt` only when the record exists and has none
 * (HSETNX), so of concurrent refreshes on any number of nodes exactly one wins. Reads go through a
 * CoherentCache, so a token check makes no network round trip while the node's cache holds the record.
 */
import type { Redis } from 'ioredis';
import {
  CoherentCache,
  DEFAULT_TOKEN_CACHE_SIZE,
  TOKEN_CACHE,
  type ClusterBus,
  type TokenRecord,
  type TokenStore,
} from '@tessera/cluster';
import { command, DEFAULT_PREFIX } from './redis-connection';

export interface RedisTokenStoreOptions {
  readonly redis: Redis;
  /** Keeps every node's read cache true. */
  readonly bus: ClusterBus;
  /** Default `tessera:`. */
  readonly prefix?: string;
  /** Records the read cache holds; 0 turns it off. Default 10,000. */
  readonly cacheSize?: number;
  /** Epoch ms; what record lifetimes in Redis are counted from. */
  readonly now?: () => number;
}

/** KEYS: record, user index, chain index. ARGV: ms to live (-1: never), hash, then field/value pairs. */
const SAVE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
local ttl = tonumber(ARGV[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
for i = 2, 3 do
  redis.call('SADD', KEYS[i], ARGV[2])
  if ttl <= 0 then
    redis.call('PERSIST', KEYS[i])
  else
    local current = redis.call('PTTL', KEYS[i])
    if (current == -1 and redis.call('SCARD', KEYS[i]) == 1) or (current >= 0 and current < ttl) then
      redis.call('PEXPIRE', KEYS[i], ttl)
    end
  end
end
return 1`;

/**
 * KEYS: records. ARGV: user index prefix, chain index prefix, then the hash of each record. For each record, 1
 * when this call deleted it, else 0: a revocation of many tokens is one round trip.
 */
const DELETE = `
local deleted = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('HMGET', key, 'kuid', 'chainId')
  deleted[i] = redis.call('DEL', key)
  if deleted[i] == 1 then
    if owner[1] then redis.call('SREM', ARGV[1] .. owner[1], ARGV[i + 2]) end
    if owner[2] then redis.call('SREM', ARGV[2] .. owner[2], ARGV[i + 2]) end
  end
end
return deleted`;

/** The most records one DELETE script takes: Redis runs nothing else while a script runs. */
const DELETE_BATCH = 1_000;

/** KEYS: record. ARGV: refreshedAt. 1 when this call set it. */
const MARK_REFRESHED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'refreshedAt', ARGV[1])`;

export function createRedisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const { redis, bus } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const now = options.now ?? Date.now;
  const cache = new CoherentCache<TokenRecord>({
    name: TOKEN_CACHE,
    bus,
    max: options.cacheSize ?? DEFAULT_TOKEN_CACHE_SIZE,
  });
  const recordKey = (hash: string) => `${prefix}token:${hash}`;
  const userPrefix = `${prefix}tokens-of:`;
  const chainPrefix = `${prefix}chain:`;

  const read = async (hash: string): Promise<TokenRecord | null> =>
    decode(hash, await command(() => redis.hgetall(recordKey(hash))));

  /** The records of `hashes` (null where gone), read with one pipeline: one write, one round trip. */
  const readMany = (hashes: readonly string[]): Promise<(TokenRecord | null)[]> =>
    command(async () => {
      if (hashes.length === 0) return [];
      const replies = await redis.pipeline(hashes.map((hash) => ['hgetall', recordKey(hash)])).exec();
      return hashes.map((hash, i) => {
        const [error, fields] = replies?.[i] ?? [
          new Error('Redis gave no reply to a pipelined HGETALL'),
          null,
        ];
        if (error) throw error;
        return decode(hash, fields as Record<string, string>);
      });
    });

  /** The records an index names; members whose record is gone are dropped from it. */
  const readIndex = async (indexKey: string): Promise<TokenRecord[]> => {
    const hashes = await command(() => redis.smembers(indexKey));
    const records = await readMany(hashes);
    const gone = hashes.filter((_hash, i) => records[i] === null);
    if (gone.length > 0) await command(() => redis.srem(indexKey, ...gone));
    return records.filter((record) => record !== null);
  };

  /** Whether this call deleted each record of `hashes`. */
  const deleteHashes = async (hashes: readonly string[]): Promise<boolean[]> => {
    const batches: string[][] = [];
    for (let i = 0; i < hashes.length; i += DELETE_BATCH) batches.push(hashes.slice(i, i + DELETE_BATCH));
    // Sent together, not one after another: one round trip.
    const answers = await Promise.all(
      batches.map((batch) =>
        command(
          () =>
            redis.eval(
              DELETE,
              batch.length,
              ...batch.map(recordKey),
              userPrefix,
              chainPrefix,
              ...batch,
            ) as Promise<number[]>,
        ),
      ),
    );
    return answers.flat().map((deleted) => deleted === 1);
  };

  const deleteRecords = async (records: TokenRecord[]): Promise<TokenRecord[]> => {
    if (records.length === 0) return [];
    try {
      const deleted = await deleteHashes(records.map((record) => record.hash));
      return records.filter((_record, i) => deleted[i]);
    } finally {
      // Every record that may be gone is forgotten everywhere, even when the delete failed.
      await cache.invalidate(records.map((record) => record.hash));
    }
  };

  const store: TokenStore = {
    async save(record) {
      const ttl = record.expiresAt === -1 ? -1 : Math.max(1, record.expiresAt - now());
      await command(() =>
        redis.eval(
          SAVE,
          3,
          recordKey(record.hash),
          userPrefix + record.kuid,
          chainPrefix + record.chainId,
          ttl,
          record.hash,
          ...encode(record),
        ),
      );
      cache.set(record.hash, Object.freeze({ ...record }));
    },

    get: (hash) => cache.read(hash, () => read(hash)),

    cached: (hash) => cache.get(hash),

    async delete(hash) {
      try {
        const [deleted] = await deleteHashes([hash]);
        return deleted === true;
      } finally {
        await cache.invalidate([hash]);
      }
    },

    async markRefreshed(hash, at) {
      const set = await command(() => redis.eval(MARK_REFRESHED, 1, recordKey(hash), at));
      if (set !== 1) return false;
      await cache.invalidate([hash]);
      return true;
    },

    listByKuid: (kuid) => readIndex(userPrefix + kuid),

    async deleteByKuid(kuid, { exceptSessionId } = {}) {
      const records = await readIndex(userPrefix + kuid);
      return deleteRecords(
        records.filter((record) => record.type === 'authToken' && record.sessionId !== exceptSessionId),
      );
    },

    async deleteChain(chainId) {
      return deleteRecords(await readIndex(chainPrefix + chainId));
    },

    // Redis expires records itself.
    purgeExpired: () => Promise.resolve(0),
  };
  return Object.freeze(store);
}

/**
 * Field/value pairs of the record's hash; `refreshedAt` only once set (the refresh script sets it), `keyId`
 * only when the record has one (records written before keyIds have none).
 */
function encode(record: TokenRecord): string[] {
  const fields: [string, string][] = [
    ['kuid', record.kuid],
    ['type', record.type],
    ['expiresAt', String(record.expiresAt)],
    ['ttl', String(record.ttl)],
    ['singleUse', record.singleUse ? '1' : '0'],
    ['createdAt', String(record.createdAt)],
    ['chainId', record.chainId],
    ['sessionId', record.sessionId],
  ];
  if (record.refreshedAt !== null) fields.push(['refreshedAt', String(record.refreshedAt)]);
  if (record.keyId !== undefined) fields.push(['keyId', record.keyId]);
  return fields.flat();
}

/** Frozen: cached records are shared by every caller. Null when the hash is empty (no such key). */
function decode(hash: string, fields: Record<string, string>): TokenRecord | null {
  if (fields.kuid === undefined) return null;
  return Object.freeze({
    hash,
    kuid: fields.kuid,
    type: fields.type === 'apiKey' ? 'apiKey' : 'authToken',
    expiresAt: Number(fields.expiresAt),
    ttl: Number(fields.ttl),
    singleUse: fields.singleUse === '1',
    createdAt: Number(fields.createdAt),
    chainId: fields.chainId ?? '',
    refreshedAt: fields.refreshedAt === undefined ? null : Number(fields.refreshedAt),
    sessionId: fields.sessionId ?? '',
    ...(fields.keyId === undefined ? {} : { keyId: fields.keyId }),
  });
}
