/**
 * The node's activity in the shape of Kuzzle's `server:metrics`: requests running and waiting in the funnel,
 * live client connections per protocol, realtime rooms and subscribed connections. One snapshot function is
 * the seam: the JSON action answers it, and a Prometheus rendering can read the same figures.
 *
 * Connections are read from the transports' own counts when asked, not counted from `connection:*` events:
 * an HTTP request is announced on the bus only while something listens (see the HTTP transport).
 */
import type { Protocol } from '@tessera/plugin-sdk';

export interface NodeMetrics {
  readonly api: { readonly concurrentRequests: number; readonly pendingRequests: number };
  /** Per protocol; an HTTP request counts as a connection while it runs, as in Kuzzle. */
  readonly network: { readonly connections: Readonly<Partial<Record<Protocol, number>>> };
  readonly realtime: { readonly rooms: number; readonly subscriptions: number };
}

export interface NodeMetricsSources {
  readonly api: () => NodeMetrics['api'];
  readonly realtime: () => NodeMetrics['realtime'];
  /** Live connections per protocol now: open sockets, HTTP requests running. */
  readonly connections: () => Readonly<Partial<Record<Protocol, number>>>;
}

export interface NodeMetricsSource {
  snapshot(): NodeMetrics;
}

export function trackNodeMetrics({ api, realtime, connections }: NodeMetricsSources): NodeMetricsSource {
  return {
    snapshot: () => ({
      api: api(),
      // A protocol with no live connection is left out.
      network: {
        connections: Object.fromEntries(
          Object.entries(connections()).filter(([, count]) => (count ?? 0) > 0),
        ),
      },
      realtime: realtime(),
    }),
  };
}
