/**
 * The node's activity in the shape of Kuzzle's `server:metrics`: requests running and waiting in the funnel,
 * live client connections per protocol, realtime rooms and subscribed connections. One snapshot function is
 * the seam: the JSON action answers it, and a Prometheus rendering can read the same figures.
 */
import type { EventBus, Protocol } from '@tessera/plugin-sdk';

export interface NodeMetrics {
  readonly api: { readonly concurrentRequests: number; readonly pendingRequests: number };
  /** Per protocol; an HTTP request counts as a connection while it runs, as in Kuzzle. */
  readonly network: { readonly connections: Readonly<Partial<Record<Protocol, number>>> };
  readonly realtime: { readonly rooms: number; readonly subscriptions: number };
}

export interface NodeMetricsSources {
  readonly bus: EventBus;
  readonly api: () => NodeMetrics['api'];
  readonly realtime: () => NodeMetrics['realtime'];
}

export interface NodeMetricsSource {
  snapshot(): NodeMetrics;
  /** Stops counting connections. */
  detach(): void;
}

export function trackNodeMetrics({ bus, api, realtime }: NodeMetricsSources): NodeMetricsSource {
  const connections = new Map<Protocol, number>();
  const count = (protocol: Protocol, delta: number) => {
    const next = (connections.get(protocol) ?? 0) + delta;
    if (next > 0) connections.set(protocol, next);
    else connections.delete(protocol);
  };
  const unhooks = [
    bus.hook('connection:new', ({ protocol }) => count(protocol, 1)),
    bus.hook('connection:remove', ({ protocol }) => count(protocol, -1)),
  ];
  return {
    snapshot: () => ({
      api: api(),
      network: { connections: Object.fromEntries(connections) },
      realtime: realtime(),
    }),
    detach: () => {
      for (const unhook of unhooks) unhook();
    },
  };
}
