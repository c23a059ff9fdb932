/**
 * KernelExtension: a part of the server with a boundary of its own (the audit trail, the metrics), built
 * outside the kernel and handed to it by the composition root. Unlike a plugin it is trusted: it reaches the
 * kernel's own storage namespace and its action registry, so only the composition root may give one.
 */
import type { ApiRequest, EventBus, Logger, StorageNamespace } from '@tessera/plugin-sdk';
import type { ActionRegistry } from './api/action-registry';
import type { NodeMetrics } from './controllers/server/node-metrics';

export interface KernelExtensionContext {
  readonly bus: EventBus;
  /** Where the extension adds its actions (`registry.extend('security', ...)`), before the routes are built. */
  readonly registry: ActionRegistry;
  /** The kernel's own namespace, which no plugin reaches. */
  readonly storage: StorageNamespace;
  readonly log: Logger;
  /** Epoch ms: the kernel's clock. */
  readonly now: () => number;
  /** The node's activity now, as `server:metrics` answers it. */
  readonly nodeMetrics: () => NodeMetrics;
}

export interface KernelExtension {
  readonly name: string;
  /**
   * Runs in `start()`, once the store and the accounts are open and before the plugins load; resolves with
   * what stops it, which `stop()` awaits before the store closes.
   */
  start(context: KernelExtensionContext): Promise<() => Promise<void>>;
  /**
   * Lets a request through without a token or rights, as the anonymous user (a metrics scraper holding the
   * token the configuration names). Asked before the token is read; true only for what the extension serves.
   */
  admits?(request: ApiRequest): boolean;
}
