/**
 * The ClusterBus on Redis pub/sub: `publish` resolves once the other nodes handled the message, `broadcast`
 * reaches them, a node never hears itself, and nodes on different prefixes never meet.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { JsonValue } from '@tessera/plugin-sdk';
import { createRedisClusterPorts } from '../../src';
import { quiet, redisFixture, type RedisFixture } from './redis-fixture';

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
