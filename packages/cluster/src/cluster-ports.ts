/**
 * The per-node state a kernel receives from its composition root, and the one-node set: the loopback bus, the
 * token store in the kernel's own storage namespace, counters in memory.
 */
import { createStorageNamespace, type StoreAdapter } from '@tessera/store';
import type { ClusterBus } from './cluster-bus';
import type { LimiterStore } from './limiter-store';
import { createLocalBus } from './loopback-network';
import { createMemoryLimiterStore } from './memory-limiter-store';
import { createStoredTokenStore } from './stored-token-store';
import type { TokenStore } from './token-store';

export interface ClusterPorts {
  readonly clusterBus: ClusterBus;
  readonly tokenStore: TokenStore;
  readonly limiters: LimiterStore;
}

/** The namespace holding the kernel's users, profiles, roles and tokens; no plugin can reach it. */
export const KERNEL_NAMESPACE = 'kernel';

/** One node on its own: tokens in the database `adapter` opens, everything else in memory. */
export function createOneNodePorts(
  adapter: StoreAdapter,
  clusterBus: ClusterBus = createLocalBus(),
): ClusterPorts {
  return {
    clusterBus,
    tokenStore: createStoredTokenStore(createStorageNamespace(adapter, KERNEL_NAMESPACE), {
      bus: clusterBus,
    }),
    limiters: createMemoryLimiterStore(),
  };
}
