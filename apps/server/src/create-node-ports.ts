/**
 * Picks what this node shares with others from `cluster.redis.url`: absent, one node (tokens in the database,
 * counters in memory, nobody to tell); present, the Redis ports of @tessera/cluster-redis, whose probe
 * `server:healthCheck` reports as `internalCache`.
 */
import { createOneNodePorts, type ClusterPorts } from '@tessera/cluster';
import type { ServiceProbe, TesseraConfig } from '@tessera/kernel';
import type { Logger } from '@tessera/plugin-sdk';
import type { StoreAdapter } from '@tessera/store';

export interface NodePorts extends ClusterPorts {
  /** Services besides the store that the health check reports. */
  readonly services: readonly ServiceProbe[];
  /** Opens what the ports need; rejects with one line when a shared service cannot be reached. */
  readonly connect: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export async function createNodePorts(
  config: TesseraConfig,
  adapter: StoreAdapter,
  log: Logger,
): Promise<NodePorts> {
  const { url, prefix, stalenessBound, connectTimeout } = config.cluster.redis;
  if (url === null) {
    return {
      ...createOneNodePorts(adapter),
      services: [],
      connect: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  // Loaded for a cluster node only: one node does without the Redis client.
  const { createRedisClusterPorts } = await import('@tessera/cluster-redis');
  const redis = createRedisClusterPorts({
    url,
    prefix,
    stalenessBound,
    connectTimeout,
    log: log.child({ component: 'cluster' }),
  });
  return {
    clusterBus: redis.clusterBus,
    tokenStore: redis.tokenStore,
    limiters: redis.limiters,
    services: [redis.probe],
    connect: () => redis.connect(),
    close: () => redis.close(),
  };
}
