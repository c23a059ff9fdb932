/**
 * The event relay: what happens on one node and must be heard on all of them (an auth event for the `%auth`
 * channel's subscribers, a revocation for the sockets holding that token, a realtime publication).
 *
 * A node's allow-listed events go to its own `deliver` at once and to every other node's `deliver` through the
 * ClusterBus, tagged with the node they come from. Nothing else of a node's bus leaves it: plugins keep hearing
 * their own node's events only (as in a Kuzzle cluster), so a plugin that records events records each once.
 * Everything relayed only informs (caches are kept true by CoherentCache's own messages): it is broadcast, not
 * awaited, and a message that cannot be sent is logged, never thrown at the code that emitted the event.
 */
import type { EventBus, JsonValue, Logger, Unsubscribe } from '@tessera/plugin-sdk';
import type { ClusterBus } from './cluster-bus';

export interface EventRelayOptions {
  readonly clusterBus: ClusterBus;
  /** The node's own events. */
  readonly local: Pick<EventBus, 'hook'>;
  /** The events relayed, by exact name. */
  readonly events: readonly string[];
  /** Hears every relayed event: this node's (from its own id) and the other nodes'. */
  readonly deliver: (event: string, payload: JsonValue, from: string) => void;
  readonly log: Logger;
}

interface RelayedEvent {
  readonly event: string;
  readonly payload: JsonValue;
}

const TOPIC = 'events';

/** Starts relaying; the returned function stops it. */
export function relayEvents(options: EventRelayOptions): Unsubscribe {
  const { clusterBus, local, deliver, log } = options;
  const relayed = new Set(options.events);

  const unhooks = options.events.map((event) =>
    local.hook(event, (payload) => {
      const data = payload as JsonValue;
      deliver(event, data, clusterBus.nodeId);
      const message: RelayedEvent = { event, payload: data };
      clusterBus
        .broadcast(TOPIC, message as unknown as JsonValue)
        .catch((error: unknown) => log.warn('event not relayed to the other nodes', { event, error }));
    }),
  );
  const unsubscribe = clusterBus.subscribe(TOPIC, (data, from) => {
    const message = data as unknown as Partial<RelayedEvent> | null;
    // Only the allow-list is heard, whatever another node sends.
    if (typeof message?.event !== 'string' || !relayed.has(message.event)) return;
    deliver(message.event, message.payload ?? null, from);
  });
  return () => {
    for (const unhook of unhooks) unhook();
    unsubscribe();
  };
}
