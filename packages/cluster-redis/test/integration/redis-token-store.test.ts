/**
 * The Redis TokenStore, shared by two nodes (two sets of connections on one prefix): records hashed and
 * expiring, indexes per user and per chain, exactly one winner among concurrent deletes and refreshes on
 * different nodes, and each node's read cache kept true by the other's writes.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { hashToken, type TokenRecord } from '@tessera/cluster';
import { createRedisTokenStore, type RedisClusterPorts } from '../../src';
import { REDIS_URL, redisFixture, type RedisFixture } from './redis-fixture';

let sequence = 0;

function record(overrides: Partial<TokenRecord> = {}): TokenRecord {
  sequence++;
  return {
    hash: hashToken(`kauth-token-${sequence}-${Math.random()}`),
    kuid: 'alice',
    type: 'authToken',
    expiresAt: Date.now() + 3_600_000,
    ttl: 3_600_000,
    singleUse: false,
    createdAt: Date.now(),
    chainId: `chain-${sequence}`,
    refreshedAt: null,
    sessionId: `session-${sequence}`,
    ...overrides,
  };
}

describe('the Redis TokenStore', () => {
  let fixture: RedisFixture;
  let a: RedisClusterPorts;
  let b: RedisClusterPorts;

  beforeEach(async () => {
    fixture = redisFixture();
    a = await fixture.node();
    b = await fixture.node();
  });

  afterEach(async () => {
    await fixture.close();
  });

  it('stores a record under its hash with the token’s lifetime, readable from the other node', async () => {
    const saved = record({ expiresAt: Date.now() + 60_000 });
    await a.tokenStore.save(saved);
    expect(await b.tokenStore.get(saved.hash)).toEqual(saved);
    const ttl = await fixture.redis.pttl(`${fixture.prefix}token:${saved.hash}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const keys = await fixture.redis.keys(`${fixture.prefix}*`);
    expect(keys.sort()).toEqual(
      [
        `${fixture.prefix}token:${saved.hash}`,
        `${fixture.prefix}tokens-of:alice`,
        `${fixture.prefix}chain:${saved.chainId}`,
        // The bus's members (node ids), not the store's.
        `${fixture.prefix}nodes`,
      ].sort(),
    );
  });

  it('keeps the key generation of a record through a refresh, and reads a record without one as written', async () => {
    const withKey = record({ keyId: 'generation-1' });
    const { keyId: _none, ...legacy } = record();
    await a.tokenStore.save(withKey);
    await a.tokenStore.save(legacy);

    expect(await b.tokenStore.get(withKey.hash)).toEqual(withKey);
    expect(await b.tokenStore.get(legacy.hash)).not.toHaveProperty('keyId');
    expect(await a.tokenStore.markRefreshed(withKey.hash, 1000)).toBe(true);
    expect(await b.tokenStore.get(withKey.hash)).toEqual({ ...withKey, refreshedAt: 1000 });
  });

  it('cached answers from memory only, and forgets on B a record A deleted once the delete resolved', async () => {
    const saved = record();
    await a.tokenStore.save(saved);
    expect(a.tokenStore.cached(saved.hash)).toEqual(saved);
    expect(b.tokenStore.cached(saved.hash)).toBeUndefined(); // in Redis, not yet read by B
    await b.tokenStore.get(saved.hash);
    expect(b.tokenStore.cached(saved.hash)).toEqual(saved);

    await a.tokenStore.delete(saved.hash);

    expect(b.tokenStore.cached(saved.hash)).toBeUndefined();
    expect(a.tokenStore.cached(saved.hash)).toBeUndefined();
  });

  it('lets exactly one of concurrent deletes on two nodes report the delete', async () => {
    const saved = record();
    await a.tokenStore.save(saved);
    const outcomes = await Promise.all([a.tokenStore.delete(saved.hash), b.tokenStore.delete(saved.hash)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await a.tokenStore.get(saved.hash)).toBeNull();
  });

  it('lets exactly one of concurrent refreshes on two nodes succeed, and both see it', async () => {
    const saved = record();
    await a.tokenStore.save(saved);
    await b.tokenStore.get(saved.hash); // cached on B
    const outcomes = await Promise.all([
      a.tokenStore.markRefreshed(saved.hash, 1000),
      b.tokenStore.markRefreshed(saved.hash, 2000),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = outcomes[0] ? 1000 : 2000;
    expect((await a.tokenStore.get(saved.hash))?.refreshedAt).toBe(winner);
    expect((await b.tokenStore.get(saved.hash))?.refreshedAt).toBe(winner);
    expect(await a.tokenStore.markRefreshed(saved.hash, 3000)).toBe(false);
    expect(await a.tokenStore.markRefreshed(record().hash, 3000)).toBe(false);
  });

  it('forgets on B, before A’s delete resolves, a record B had cached', async () => {
    const saved = record();
    await a.tokenStore.save(saved);
    expect(await b.tokenStore.get(saved.hash)).toEqual(saved);
    await a.tokenStore.delete(saved.hash);
    expect(await b.tokenStore.get(saved.hash)).toBeNull();
  });

  it('deletes a user’s auth tokens but one session, never an API key record', async () => {
    const kept = record();
    const gone = record();
    const key = record({ type: 'apiKey' });
    const other = record({ kuid: 'bob' });
    for (const saved of [kept, gone, key, other]) await a.tokenStore.save(saved);
    const deleted = await b.tokenStore.deleteByKuid('alice', { exceptSessionId: kept.sessionId });
    expect(deleted.map((r) => r.hash)).toEqual([gone.hash]);
    expect((await a.tokenStore.listByKuid('alice')).map((r) => r.hash).sort()).toEqual(
      [kept.hash, key.hash].sort(),
    );
    expect(await a.tokenStore.listByKuid('bob')).toEqual([other]);
  });

  it('reads a user’s 2,500 tokens with one pipeline, deletes them with a few scripts sent at once, and the other node forgets them', async () => {
    // A store of its own connection, to count the scripts it sends.
    const redis = new Redis(REDIS_URL);
    try {
      const store = createRedisTokenStore({ redis, bus: a.clusterBus, prefix: fixture.prefix });
      const many = Array.from({ length: 2500 }, () => record({ kuid: 'many' }));
      const others = [record({ kuid: 'bob' }), record({ kuid: 'many', type: 'apiKey' })];
      await Promise.all([...many, ...others].map((saved) => store.save(saved)));
      await b.tokenStore.get(many[0]!.hash);
      expect(b.tokenStore.cached(many[0]!.hash)).toEqual(many[0]);
      const scripts = jest.spyOn(redis, 'eval');
      const pipelines = jest.spyOn(redis, 'pipeline');
      const reads = jest.spyOn(redis, 'hgetall');

      const deleted = await store.deleteByKuid('many');

      expect(deleted.map((r) => r.hash).sort()).toEqual(many.map((r) => r.hash).sort());
      expect(scripts).toHaveBeenCalledTimes(3); // 1,000 records a script
      // The records are read with one pipeline, not one command each.
      expect(pipelines).toHaveBeenCalledTimes(1);
      expect(reads).not.toHaveBeenCalled();
      expect(b.tokenStore.cached(many[0]!.hash)).toBeUndefined();
      expect(await fixture.redis.exists(...many.map((r) => `${fixture.prefix}token:${r.hash}`))).toBe(0);
      expect(await fixture.redis.smembers(`${fixture.prefix}tokens-of:many`)).toEqual([others[1]!.hash]);
      expect(await b.tokenStore.listByKuid('bob')).toEqual([others[0]]);
    } finally {
      redis.disconnect();
    }
  });

  it('of concurrent revocations of a user’s tokens on two nodes, each record is reported by exactly one', async () => {
    const many = Array.from({ length: 300 }, () => record({ kuid: 'many' }));
    await Promise.all(many.map((saved) => a.tokenStore.save(saved)));

    const [fromA, fromB] = await Promise.all([
      a.tokenStore.deleteByKuid('many'),
      b.tokenStore.deleteByKuid('many'),
    ]);

    const reported = [...fromA, ...fromB].map((r) => r.hash).sort();
    expect(reported).toEqual(many.map((r) => r.hash).sort());
  });

  it('deletes a whole refresh chain, and lists no record that expired', async () => {
    const first = record({ chainId: 'chain-x' });
    const second = record({ chainId: 'chain-x', refreshedAt: null });
    const outsider = record();
    for (const saved of [first, second, outsider]) await a.tokenStore.save(saved);
    const deleted = await b.tokenStore.deleteChain('chain-x');
    expect(deleted.map((r) => r.hash).sort()).toEqual([first.hash, second.hash].sort());
    expect(await b.tokenStore.get(outsider.hash)).toEqual(outsider);

    const expiring = record({ expiresAt: Date.now() + 1 });
    await a.tokenStore.save(expiring);
    await fixture.redis.pexpire(`${fixture.prefix}token:${expiring.hash}`, 1);
    while ((await fixture.redis.exists(`${fixture.prefix}token:${expiring.hash}`)) === 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await b.tokenStore.listByKuid('alice')).map((r) => r.hash)).toEqual([outsider.hash]);
  });
});
