/**
 * The in-process ClusterBus: every node joined to one LoopbackNetwork hears the others, in one process.
 *
 * One node alone on its network is the one-node deployment: nothing to tell, nothing it can miss, so its
 * caches are always fresh and `publish` resolves at once. Several nodes on one network are a cluster in
 * miniature, which is how the kernel's cluster behaviour is tested without Redis: messages reach each
 * receiver in the order they were sent, and `publish` resolves once every receiver's handlers have.
 *
 * A node's subscription can be cut and restored, to play a node that loses Redis while the others keep it:
 * while cut, what is sent to it is lost for good and it is not fresh; restored, it starts a new epoch. A
 * `publish` does not count on a cut node's handlers: it resolves once that node is restored (its caches then
 * start empty) or `stalenessBound` after the cut (everything it cached before the cut has died by then).
 */
import { randomUUID } from 'node:crypto';
import type { JsonValue, Logger } from '@tessera/plugin-sdk';
import type { CacheState, ClusterBus, ClusterHandler } from './cluster-bus';

export interface LoopbackNode extends ClusterBus {
  /** Stops hearing and being heard; what was already sent to it is still delivered. */
  leave(): void;
  /** Stops hearing the others (what they send meanwhile is lost) and stops being fresh, until restored. */
  cutSubscription(): void;
  /** Hears the others again, in a new epoch: every cache of this node starts empty. */
  restoreSubscription(): void;
}

export interface LoopbackNetwork {
  /** A new node on this network (a fresh id unless one is given). */
  join(nodeId?: string): LoopbackNode;
}

export interface LoopbackNetworkOptions {
  /** Where a handler's failure is reported; a failing handler never stops the others. */
  readonly log?: Logger;
  /**
   * Every node's `stalenessBound`, in ms. Default 0: nothing can be missed on a network in one process, so
   * entries need no lifetime; give one to play cut subscriptions the way a cluster on Redis lives them.
   */
  readonly stalenessBound?: number;
}

/** A node id: unique enough that no two nodes of one cluster share it. */
export function createNodeId(): string {
  return `tessera-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

interface Cut {
  /** Resolves when the subscription is restored, or once the bound has passed since the cut. */
  readonly over: Promise<void>;
  readonly restore: () => void;
}

interface Member {
  readonly handlers: Map<string, Set<ClusterHandler>>;
  /** The last delivery queued to this member: deliveries run one after the other, in sending order. */
  inbox: Promise<void>;
  state: CacheState;
  cut: Cut | null;
}

export function createLoopbackNetwork(options: LoopbackNetworkOptions = {}): LoopbackNetwork {
  const stalenessBound = options.stalenessBound ?? 0;
  const members = new Map<string, Member>();

  /**
   * Queues the message on every other member; resolves once each has handled it, or, for a cut member, once
   * it can no longer use what it cached (publish only: a broadcast does not wait).
   */
  const send = (from: string, topic: string, data: JsonValue): Promise<void> => {
    const deliveries = [...members].flatMap(([nodeId, member]) => {
      if (nodeId === from) return [];
      if (member.cut !== null) return stalenessBound > 0 ? [member.cut.over] : [];
      member.inbox = member.inbox.then(() => deliver(member, from, topic, data));
      return [member.inbox];
    });
    return Promise.all(deliveries).then(() => undefined);
  };

  const deliver = async (member: Member, from: string, topic: string, data: JsonValue): Promise<void> => {
    for (const handler of [...(member.handlers.get(topic) ?? [])]) {
      try {
        await handler(data, from);
      } catch (error) {
        options.log?.error('cluster message handler failed', { topic, from, error });
      }
    }
  };

  const cut = (): Cut => {
    let restore: () => void = () => {};
    const restored = new Promise<void>((resolve) => (restore = resolve));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, stalenessBound).unref()));
    const over = Promise.race([restored, expired]).then(() => clearTimeout(timer));
    return { over, restore };
  };

  return {
    join(nodeId = createNodeId()) {
      if (members.has(nodeId)) throw new Error(`node "${nodeId}" is already on this network`);
      const member: Member = {
        handlers: new Map(),
        inbox: Promise.resolve(),
        state: Object.freeze({ fresh: true, epoch: 0 }),
        cut: null,
      };
      members.set(nodeId, member);
      return {
        nodeId,
        stalenessBound,
        publish: (topic, data) => send(nodeId, topic, data),
        broadcast(topic, data) {
          void send(nodeId, topic, data);
          return Promise.resolve();
        },
        subscribe(topic, handler) {
          let handlers = member.handlers.get(topic);
          if (!handlers) member.handlers.set(topic, (handlers = new Set()));
          handlers.add(handler);
          return () => {
            handlers.delete(handler);
          };
        },
        cacheState: () => member.state,
        leave() {
          member.cut?.restore();
          members.delete(nodeId);
        },
        cutSubscription() {
          if (member.cut !== null) return;
          member.cut = cut();
          member.state = Object.freeze({ fresh: false, epoch: member.state.epoch });
        },
        restoreSubscription() {
          if (member.cut === null) return;
          member.cut.restore();
          member.cut = null;
          member.state = Object.freeze({ fresh: true, epoch: member.state.epoch + 1 });
        },
      };
    },
  };
}

/** The one-node ClusterBus: a network of its own. */
export function createLocalBus(nodeId?: string): LoopbackNode {
  return createLoopbackNetwork().join(nodeId);
}
