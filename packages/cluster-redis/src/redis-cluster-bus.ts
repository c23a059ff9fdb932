/**
 * The ClusterBus on Redis pub/sub: every node subscribes to one channel (`<prefix>bus`) and to its own
 * acknowledgement channel (`<prefix>ack:<nodeId>`).
 *
 * - `broadcast` is one PUBLISH.
 * - `publish` is one PUBLISH too, whose answer says how many subscribers received it: it then waits for that
 *   many acknowledgements (less its own), each sent by a node once its handlers ran, for at most
 *   `stalenessBound`. A node that did not answer by then has no cached entry older than the message left (every
 *   entry lives at most `stalenessBound`), which is what `publish` promises. A node whose subscriber connection
 *   is down is not counted by Redis: it keeps serving what it cached before the cut, each entry until its
 *   lifetime ends, so it stops accepting a token revoked meanwhile at most `stalenessBound` after it read the
 *   record (see CoherentCache).
 * - `cacheState` is fresh while this node's subscriber connection is up and subscribed. When it drops, caches
 *   stop filling and keep only what they held, each entry until its lifetime ends; when it is back, the epoch
 *   changes and every cache starts empty (the messages sent meanwhile are lost for good: pub/sub keeps nothing).
 */
import { randomUUID } from 'node:crypto';
import type { CacheState, ClusterBus, ClusterHandler } from '@tessera/cluster';
import { createNodeId } from '@tessera/cluster';
import type { JsonValue, Logger, Unsubscribe } from '@tessera/plugin-sdk';
import { command, DEFAULT_PREFIX, openRedis, type RedisConnectionOptions } from './redis-connection';

export interface RedisClusterBusOptions extends RedisConnectionOptions {
  /** Milliseconds; see ClusterBus.stalenessBound. Default 5000. */
  readonly stalenessBound?: number;
  readonly nodeId?: string;
  readonly log: Logger;
}

export interface RedisClusterBus extends ClusterBus {
  /** Opens both connections; rejects when Redis cannot be reached. */
  connect(): Promise<void>;
  /** Whether a command connection answers PING (for `server:healthCheck`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

interface Envelope {
  readonly from: string;
  readonly topic: string;
  readonly data: JsonValue;
  /** Present when the sender waits for an acknowledgement (`publish`). */
  readonly ack?: string;
}

interface Pending {
  received: number;
  /** Known once PUBLISH answered; acknowledgements may come before. */
  expected: number | null;
  readonly done: () => void;
}

export const DEFAULT_STALENESS_BOUND = 5000;

export function createRedisClusterBus(options: RedisClusterBusOptions): RedisClusterBus {
  const { log } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const nodeId = options.nodeId ?? createNodeId();
  const stalenessBound = options.stalenessBound ?? DEFAULT_STALENESS_BOUND;
  const busChannel = `${prefix}bus`;
  const ackChannel = `${prefix}ack:${nodeId}`;
  const publisher = openRedis(options);
  // Resubscribed by hand on every `ready`, so the node is fresh only once the subscription is back.
  const subscriber = openRedis(options, { autoResubscribe: false });
  const handlers = new Map<string, Set<ClusterHandler>>();
  const pending = new Map<string, Pending>();
  let state: CacheState = Object.freeze({ fresh: false, epoch: 0 });
  let closing = false;

  const setState = (fresh: boolean, newEpoch: boolean): void => {
    state = Object.freeze({ fresh, epoch: state.epoch + (newEpoch ? 1 : 0) });
  };

  const subscribe = async (): Promise<void> => {
    await subscriber.subscribe(busChannel, ackChannel);
    setState(true, true);
  };

  subscriber.on('ready', () => {
    subscribe().catch((error: unknown) => log.warn('cluster bus could not subscribe', { error }));
  });
  subscriber.on('close', () => {
    if (state.fresh && !closing) {
      log.warn(
        'cluster bus lost Redis: cached entries serve until their staleness bound, nothing new is cached',
        {
          stalenessBound,
        },
      );
    }
    setState(false, false);
  });
  subscriber.on('error', (error: unknown) => log.debug('cluster bus subscriber error', { error }));
  publisher.on('error', (error: unknown) => log.debug('cluster bus publisher error', { error }));

  const handle = async (envelope: Envelope): Promise<void> => {
    for (const handler of [...(handlers.get(envelope.topic) ?? [])]) {
      try {
        await handler(envelope.data, envelope.from);
      } catch (error) {
        log.error('cluster message handler failed', { topic: envelope.topic, from: envelope.from, error });
      }
    }
    if (envelope.ack !== undefined) {
      await publisher
        .publish(`${prefix}ack:${envelope.from}`, envelope.ack)
        .catch((error: unknown) => log.debug('cluster acknowledgement not sent', { error }));
    }
  };

  // Messages are handled one after the other, in the order they came.
  let inbox: Promise<void> = Promise.resolve();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === ackChannel) {
      const waiting = pending.get(message);
      if (waiting === undefined) return;
      waiting.received += 1;
      if (waiting.expected !== null && waiting.received >= waiting.expected) waiting.done();
      return;
    }
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === nodeId) return;
    inbox = inbox.then(() => handle(envelope));
  });

  const send = (envelope: Envelope): Promise<number> =>
    command(() => publisher.publish(busChannel, JSON.stringify(envelope)));

  const waitBound = (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, stalenessBound).unref());

  return {
    nodeId,
    stalenessBound,

    async publish(topic, data) {
      const ack = randomUUID();
      let done: () => void = () => {};
      const acknowledged = new Promise<void>((resolve) => (done = resolve));
      const waiting: Pending = { received: 0, expected: null, done };
      pending.set(ack, waiting);
      try {
        const receivers = await send({ from: nodeId, topic, data, ack });
        // Redis counted this node's own subscriber too, when it is subscribed.
        waiting.expected = receivers - (state.fresh ? 1 : 0);
        if (waiting.received >= waiting.expected) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          acknowledged,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, stalenessBound))),
        ]);
        clearTimeout(timer);
      } catch {
        // Not sent: once the bound has passed, no node holds anything older than this message.
        await waitBound();
      } finally {
        pending.delete(ack);
      }
    },

    async broadcast(topic, data) {
      await send({ from: nodeId, topic, data });
    },

    subscribe(topic, handler): Unsubscribe {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },

    cacheState: () => state,

    async connect() {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      // The first `ready` subscribes; wait for it so the node starts fresh.
      if (!state.fresh) await subscribe();
    },

    async ping() {
      try {
        return (await publisher.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    close() {
      closing = true;
      for (const waiting of pending.values()) waiting.done();
      publisher.disconnect();
      subscriber.disconnect();
      return Promise.resolve();
    },
  };
}
