/**
 * The ClusterBus on Redis pub/sub: `publish` resolves once the other nodes handled the message, or once a node
 * cut from Redis can no longer use what it cached before the cut; `broadcast` reaches the others, a node never
 * hears itself, and nodes on different prefixes never meet.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CoherentCache } from '@tessera/cluster';
import type { JsonValue } from '@tessera/plugin-sdk';
import { createTcpProxy } from '@tessera/testing';
import { createRedisClusterPorts } from '../../src';
import { quiet, REDIS_URL, redisFixture, type RedisFixture } from './redis-fixture';

describe('the Redis ClusterBus', () => {
  const fixtures: RedisFixture[] = [];
  const fixture = () => {
    const created = redisFixture();
    fixtures.push(created);
    return created;
  };

  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.close()));
  });

  it('resolves publish once every other node has handled the message', async () => {
    const f = fixture();
    const [a, b, c] = [await f.node(), await f.node(), await f.node()];
    const handled: string[] = [];
    for (const [name, node] of [
      ['b', b],
      ['c', c],
    ] as const) {
      node.clusterBus.subscribe('t', async (data, from) => {
        await new Promise((resolve) => setImmediate(resolve));
        handled.push(`${name}:${JSON.stringify(data)}:${from === a.clusterBus.nodeId}`);
      });
    }
    a.clusterBus.subscribe('t', () => void handled.push('a heard itself'));
    expect(a.clusterBus.cacheState().fresh).toBe(true);
    await a.clusterBus.publish('t', { n: 1 });
    expect(handled.sort()).toEqual(['b:{"n":1}:true', 'c:{"n":1}:true']);
  });

  it('holds a publish until a node cut from Redis can no longer use what it cached before the cut', async () => {
    const f = fixture();
    const redis = new URL(REDIS_URL);
    const proxy = await createTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    try {
      const cutOff = await f.node({ stalenessBound: 1500, url: `redis://127.0.0.1:${proxy.port}` });
      const writer = await f.node({ stalenessBound: 1500 });
      const cache = (bus: typeof writer.clusterBus) =>
        new CoherentCache<{ v: string }>({ name: 'things', bus, max: 10 });
      const cutOffCache = cache(cutOff.clusterBus);
      await cutOffCache.read('k', () => Promise.resolve({ v: 'one' }));
      expect(cutOffCache.get('k')).toEqual({ v: 'one' });

      proxy.cut();
      while (cutOff.clusterBus.cacheState().fresh) await new Promise((resolve) => setTimeout(resolve, 10));
      // Redis does not count the cut node as a subscriber; the writer waits for it as a member all the same.
      await cache(writer.clusterBus).invalidate(['k']);
      expect(cutOffCache.get('k')).toBeUndefined();
      expect(cutOff.clusterBus.cacheState().fresh).toBe(false);
    } finally {
      proxy.restore();
      await proxy.close();
    }
  });

  it('delivers a broadcast to the others, and nothing across prefixes', async () => {
    const [f, g] = [fixture(), fixture()];
    const [a, b, stranger] = [await f.node(), await f.node(), await g.node()];
    const heard: JsonValue[] = [];
    const strangerHeard: JsonValue[] = [];
    let arrived: () => void = () => {};
    const got = new Promise<void>((resolve) => (arrived = resolve));
    b.clusterBus.subscribe('news', (data) => {
      heard.push(data);
      arrived();
    });
    stranger.clusterBus.subscribe('news', (data) => void strangerHeard.push(data));
    await a.clusterBus.broadcast('news', 'hello');
    await got;
    // Anything the stranger could have heard was sent before this publish, which it handles in order.
    await stranger.clusterBus.publish('sync', null);
    await a.clusterBus.publish('news-done', null);
    expect(heard).toEqual(['hello']);
    expect(strangerHeard).toEqual([]);
  });

  it('refuses to connect to an unreachable Redis with one line naming the URL, password masked', async () => {
    const ports = createRedisClusterPorts({
      url: 'redis://user:secret-password@127.0.0.1:1',
      log: quiet,
      connectTimeout: 1000,
    });
    const failure = await ports.connect().then(
      () => null,
      (error: unknown) => error as Error,
    );
    await ports.close();
    expect(failure?.message).toMatch(/^Cannot connect to Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/);
    expect(failure?.message).not.toContain('secret-password');
  });
});
