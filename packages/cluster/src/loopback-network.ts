/**
 * The in-process ClusterBus: every node joined to one LoopbackNetwork hears the others, in one process.
 *
 * One node alone on its network is the one-node deployment: nothing to tell, nothing it can miss, so its
 * caches are always fresh and `publish` resolves at once. Several nodes on one network are a cluster in
 * miniature, which is how the kernel's cluster behaviour is tested without Redis: messages reach each
 * receiver in the order they were sent, and `publish` resolves once every receiver's handlers have.
 */
import { randomUUID } from 'node:crypto';
import type { JsonValue, Logger } from '@tessera/plugin-sdk';
import type { CacheState, ClusterBus, ClusterHandler } from './cluster-bus';

export interface LoopbackNode extends ClusterBus {
  /** Stops hearing and being heard; what was already sent to it is still delivered. */
  leave(): void;
}

export interface LoopbackNetwork {
  /** A new node on this network (a fresh id unless one is given). */
  join(nodeId?: string): LoopbackNode;
}

export interface LoopbackNetworkOptions {
  /** Where a handler's failure is reported; a failing handler never stops the others. */
  readonly log?: Logger;
}

/** A node id: unique enough that no two nodes of one cluster share it. */
export function createNodeId(): string {
  return `tessera-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

const ALWAYS_FRESH: CacheState = Object.freeze({ fresh: true, epoch: 0 });

interface Member {
  readonly handlers: Map<string, Set<ClusterHandler>>;
  /** The last delivery queued to this member: deliveries run one after the other, in sending order. */
  inbox: Promise<void>;
}

export function createLoopbackNetwork(options: LoopbackNetworkOptions = {}): LoopbackNetwork {
  const members = new Map<string, Member>();

  /** Queues the message on every other member; resolves once each has handled it. */
  const send = (from: string, topic: string, data: JsonValue): Promise<void> => {
    const deliveries = [...members].flatMap(([nodeId, member]) => {
      if (nodeId === from) return [];
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

  return {
    join(nodeId = createNodeId()) {
      if (members.has(nodeId)) throw new Error(`node "${nodeId}" is already on this network`);
      const member: Member = { handlers: new Map(), inbox: Promise.resolve() };
      members.set(nodeId, member);
      return {
        nodeId,
        stalenessBound: 0,
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
        cacheState: () => ALWAYS_FRESH,
        leave() {
          members.delete(nodeId);
        },
      };
    },
  };
}

/** The one-node ClusterBus: a network of its own. */
export function createLocalBus(nodeId?: string): LoopbackNode {
  return createLoopbackNetwork().join(nodeId);
}
