export type { ClusterBus, ClusterHandler, CacheState } from './cluster-bus';
export {
  createLoopbackNetwork,
  createLocalBus,
  createNodeId,
  type LoopbackNetwork,
  type LoopbackNetworkOptions,
  type LoopbackNode,
} from './loopback-network';
export { CoherentCache, type CoherentCacheOptions } from './coherent-cache';
export { hashToken, TOKEN_CACHE, type TokenRecord, type TokenStore, type TokenType } from './token-store';
export {
  createStoredTokenStore,
  DEFAULT_TOKEN_CACHE_SIZE,
  type StoredTokenStoreOptions,
} from './stored-token-store';
export type { LimiterStore, WindowCounter, WindowState, CounterOptions } from './limiter-store';
export { counterOver, memoryLimiter, windowSeconds, UNLIMITED_POINTS } from './rate-limiter-counter';
export { createMemoryLimiterStore } from './memory-limiter-store';
export { createOneNodePorts, KERNEL_NAMESPACE, type ClusterPorts } from './cluster-ports';
export { relayEvents, type EventRelayOptions } from './event-relay';
