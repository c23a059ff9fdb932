/**
 * The ClusterBus on Redis pub/sub: every node subscribes to one channel (`<prefix>bus`) and to its own
 * acknowledgement channel (`<prefix>ack:<nodeId>`).
 *
 * - `broadcast` is one PUBLISH.
 * - `publish` is one PUBLISH too, in a script that also reads the cluster's members (RedisMembership): it
 *   then waits for as many acknowledgements as Redis counted subscribers (less its own) and for one from every
 *   member, each sent by a node once its handlers ran, for at most `stalenessBound`. A node that did not answer
 *   by then has no cached entry older than the message left (every entry lives at most `stalenessBound`), which
 *   is what `publish` promises. That includes a member whose subscription is cut: Redis does not count it, but
 *   it may still serve what it cached before the cut, so the writer waits the bound for it.
 * - `cacheState` is fresh while this node's subscriber connection is subscribed and its membership is known to
 *   be current (renewed recently enough that it outlives every entry cached meanwhile). When the subscription
 *   drops, caches stop filling and keep only what they held, each entry until its lifetime ends; when it is
 *   back, the epoch changes and every cache starts empty (the messages sent meanwhile are lost for good:
 *   pub/sub keeps nothing).
 */
import { randomUUID } from 'node:crypto';
import type { CacheState, ClusterBus, ClusterHandler } from '@tessera/cluster';
import { createNodeId } from '@tessera/cluster';
import type { JsonValue, Logger, Unsubscribe } from '@tessera/plugin-sdk';
import { command, DEFAULT_PREFIX, openRedis, type RedisConnectionOptions } from './redis-connection';
import { createRedisMembership } from './redis-membership';

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
  /** The nodes that acknowledged. */
  readonly ackers: Set<string>;
  /** How many subscribers Redis delivered to, less this node; known once PUBLISH answered (acks may come first). */
  expected: number | null;
  /** The other members, each of which must acknowledge (or the bound pass). */
  members: readonly string[];
  readonly done: () => void;
}

export const DEFAULT_STALENESS_BOUND = 5000;

/** The longest a node waits before trying again to subscribe, or to renew its membership when due. */
const MAX_TICK = 1000;

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
  const membership = createRedisMembership({ redis: publisher, prefix, nodeId, stalenessBound });
  const clock = () => performance.now();
  let subscribed = false;
  /** Until when this node's membership surely outlives what it caches (see RedisMembership). */
  let memberUntil = -Infinity;
  let renewedAt = -Infinity;
  let epoch = 0;
  let freshState: CacheState = Object.freeze({ fresh: true, epoch });
  let staleState: CacheState = Object.freeze({ fresh: false, epoch });
  let closing = false;

  const renew = async (): Promise<void> => {
    const sentAt = clock();
    await membership.renew();
    renewedAt = sentAt;
    // The membership lapses stalenessBound + 2 renewEvery after the renewal reached Redis; an entry cached
    // before memberUntil dies stalenessBound after its read at the latest, so before the membership lapses.
    memberUntil = sentAt + 2 * membership.renewEvery;
  };

  /** Joins (renews the membership first, so no node caches while unknown to the writers), then subscribes. */
  let subscribing: Promise<void> | null = null;
  const subscribe = (): Promise<void> =>
    (subscribing ??= (async () => {
      try {
        await renew();
        await subscriber.subscribe(busChannel, ackChannel);
        subscribed = true;
        epoch += 1;
        freshState = Object.freeze({ fresh: true, epoch });
        staleState = Object.freeze({ fresh: false, epoch });
      } finally {
        subscribing = null;
      }
    })());

  const trySubscribe = (): void => {
    if (subscribed || closing || subscriber.status !== 'ready' || publisher.status !== 'ready') return;
    subscribe().catch((error: unknown) => log.warn('cluster bus could not subscribe', { error }));
  };

  // Renews the membership while subscribed (by renewEvery after the last renewal, one tick early at most, well
  // before memberUntil), retries a failed subscription otherwise.
  const tickEvery = Math.min(membership.renewEvery, MAX_TICK);
  const tick = setInterval(() => {
    if (!subscribed) trySubscribe();
    else if (clock() - renewedAt >= membership.renewEvery - tickEvery) {
      renew().catch((error: unknown) => log.debug('cluster membership not renewed', { error }));
    }
  }, tickEvery).unref();

  subscriber.on('ready', trySubscribe);
  publisher.on('ready', trySubscribe);
  subscriber.on('close', () => {
    if (subscribed && !closing) {
      log.warn(
        'cluster bus lost Redis: cached entries serve until their staleness bound, nothing new is cached',
        {
          stalenessBound,
        },
      );
    }
    subscribed = false;
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
        .publish(`${prefix}ack:${envelope.from}`, `${envelope.ack} ${nodeId}`)
        .catch((error: unknown) => log.debug('cluster acknowledgement not sent', { error }));
    }
  };

  // Messages are handled one after the other, in the order they came.
  let inbox: Promise<void> = Promise.resolve();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === ackChannel) {
      const space = message.indexOf(' ');
      const waiting = pending.get(message.slice(0, space));
      if (waiting === undefined || space < 0) return;
      waiting.ackers.add(message.slice(space + 1));
      if (acknowledged(waiting)) waiting.done();
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

  const acknowledged = ({ ackers, expected, members }: Pending): boolean =>
    expected !== null && ackers.size >= expected && members.every((member) => ackers.has(member));

  const waitBound = (): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, stalenessBound).unref());

  return {
    nodeId,
    stalenessBound,

    async publish(topic, data) {
      const ack = randomUUID();
      let done: () => void = () => {};
      const allAcknowledged = new Promise<void>((resolve) => (done = resolve));
      const waiting: Pending = { ackers: new Set(), expected: null, members: [], done };
      pending.set(ack, waiting);
      try {
        const envelope: Envelope = { from: nodeId, topic, data, ack };
        const { receivers, members } = await membership.publish(busChannel, JSON.stringify(envelope));
        // Redis counted this node's own subscriber too, when it is subscribed.
        waiting.expected = receivers - (subscribed ? 1 : 0);
        waiting.members = members.filter((member) => member !== nodeId);
        if (acknowledged(waiting)) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          allAcknowledged,
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

    cacheState: () => (subscribed && clock() < memberUntil ? freshState : staleState),

    async connect() {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      // A `ready` may have subscribed already; wait for it so the node starts fresh.
      if (!subscribed) await subscribe();
    },

    async ping() {
      try {
        return (await publisher.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async close() {
      closing = true;
      clearInterval(tick);
      for (const waiting of pending.values()) waiting.done();
      // Caches nothing any more: the writers need not wait for it (a failure leaves it to lapse by itself).
      if (subscribed) await membership.leave().catch(() => undefined);
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
