/**
 * What the Redis tests share: the development Redis (127.0.0.1:6379), a key prefix (and so channel names) of
 * each test's own, and nodes built on it that the fixture closes and whose keys it deletes afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '@tessera/plugin-sdk';
import { createRedisClusterPorts, type RedisClusterPorts } from '../../src';

export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export interface RedisFixture {
  readonly prefix: string;
  /** A node's ports on this test's prefix, connected. */
  node(options?: { stalenessBound?: number; url?: string }): Promise<RedisClusterPorts>;
  /** Raw access, to look at what the nodes stored. */
  readonly redis: Redis;
  close(): Promise<void>;
}

export function redisFixture(): RedisFixture {
  const prefix = `tessera-test:${randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const nodes: RedisClusterPorts[] = [];
  return {
    prefix,
    redis,
    async node(options = {}) {
      const ports = createRedisClusterPorts({
        url: options.url ?? REDIS_URL,
        prefix,
        stalenessBound: options.stalenessBound ?? 2000,
        log: quiet,
      });
      nodes.push(ports);
      await ports.connect();
      return ports;
    },
    async close() {
      await Promise.all(nodes.map((node) => node.close()));
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
