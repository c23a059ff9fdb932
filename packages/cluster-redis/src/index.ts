export {
  createRedisClusterPorts,
  type RedisClusterOptions,
  type RedisClusterPorts,
  type RedisProbe,
} from './redis-cluster-ports';
export {
  createRedisClusterBus,
  DEFAULT_STALENESS_BOUND,
  type RedisClusterBus,
  type RedisClusterBusOptions,
} from './redis-cluster-bus';
export { createRedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store';
export { createRedisLimiterStore, type RedisLimiterStoreOptions } from './redis-limiter-store';
export { maskRedisUrl, DEFAULT_PREFIX, type RedisConnectionOptions } from './redis-connection';
