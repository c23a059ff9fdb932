/**
 * The ports of a node in a cluster on Redis: the ClusterBus on pub/sub, the TokenStore and the limiters, over
 * one command connection (plus the bus's subscriber connection), and a probe for `server:healthCheck`.
 * `connect()` refuses to start the node, with a message naming the Redis URL (password masked), when Redis
 * cannot be reached; once started, the node rides out outages (see docs/deployment.md).
 */
import type { ClusterPorts } from '@tessera/cluster';
import type { Logger } from '@tessera/plugin-sdk';
import { createRedisClusterBus } from './redis-cluster-bus';
import { maskRedisUrl, openRedis, DEFAULT_PREFIX, type RedisConnectionOptions } from './redis-connection';
import { createRedisLimiterStore } from './redis-limiter-store';
import { createRedisTokenStore } from './redis-token-store';

export interface RedisClusterOptions extends RedisConnectionOptions {
  /** Milliseconds a node trusts what it cached without confirmation (ClusterBus.stalenessBound). */
  readonly stalenessBound?: number;
  /** Records the token cache holds. */
  readonly tokenCacheSize?: number;
  readonly nodeId?: string;
  readonly log: Logger;
}

/** What `server:info` and `server:healthCheck` report it as (Kuzzle's name for its Redis). */
export interface RedisProbe {
  readonly name: 'internalCache';
  readonly type: 'redis';
  ping(): Promise<boolean>;
}

export interface RedisClusterPorts extends ClusterPorts {
  readonly probe: RedisProbe;
  /** Opens every connection; rejects with one line naming the (masked) URL when Redis cannot be reached. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export function createRedisClusterPorts(options: RedisClusterOptions): RedisClusterPorts {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const redis = openRedis(options);
  redis.on('error', (error: unknown) => options.log.debug('redis connection error', { error }));
  const clusterBus = createRedisClusterBus({ ...options, prefix });
  return {
    clusterBus,
    tokenStore: createRedisTokenStore({ redis, bus: clusterBus, prefix, cacheSize: options.tokenCacheSize }),
    limiters: createRedisLimiterStore({ redis, prefix }),
    probe: {
      name: 'internalCache',
      type: 'redis',
      async ping() {
        try {
          return (await redis.ping()) === 'PONG' && (await clusterBus.ping());
        } catch {
          return false;
        }
      },
    },
    async connect() {
      try {
        await Promise.all([redis.connect(), clusterBus.connect()]);
      } catch (error) {
        redis.disconnect();
        await clusterBus.close();
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Cannot connect to Redis at ${maskRedisUrl(options.url)}: ${reason}`, {
          cause: error,
        });
      }
    },
    async close() {
      redis.disconnect();
      await clusterBus.close();
    },
  };
}
