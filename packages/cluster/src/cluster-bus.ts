/**
 * The ClusterBus port: how the nodes of one deployment tell each other what changed, and how a node knows
 * whether what it holds in memory can still be trusted.
 *
 * Messages go by topic to every other node (a node never receives its own). `publish` is for what makes a
 * cache wrong (a revoked token, a changed role): it resolves only once every node has handled the message, or
 * can no longer use what it cached before it, so the caller may answer its client as if the change were
 * everywhere. `broadcast` is for what only informs (an event, a realtime notification): sent, not awaited.
 *
 * `cacheState()` is what every node-local cache asks before using an entry: whether the node is currently in
 * contact with the others (`fresh`), and the `epoch` of that contact, which changes whenever messages may have
 * been missed (a reconnection): a cache then drops everything it holds. While a node is not fresh, its caches
 * add nothing, and what they held before serves until its own lifetime (`stalenessBound`) ends.
 */
import type { JsonValue, Unsubscribe } from '@tessera/plugin-sdk';

export interface CacheState {
  /**
   * True while this node receives every message sent to it: its caches may fill. While false, they keep only
   * what they held, each entry until its lifetime ends (with no bound, they are not used at all).
   */
  readonly fresh: boolean;
  /** Changes whenever messages may have been missed; a cache from another epoch is thrown away. */
  readonly epoch: number;
}

/** Handles a message another node sent on a topic. A `publish` waits for the promise it returns. */
export type ClusterHandler = (data: JsonValue, from: string) => void | Promise<void>;

export interface ClusterBus {
  /** This node's id, unique in the cluster (the `node` of Kuzzle's notifications and answers). */
  readonly nodeId: string;
  /**
   * Milliseconds: the longest a node uses what it cached without confirmation. It is the lifetime of every
   * cached entry, counted from the read that produced it, so also how long a node cut from the others keeps
   * using what it cached before the cut. 0: no bound, nothing can be missed (one node).
   */
  readonly stalenessBound: number;
  /**
   * Sends `data` to every other node's `topic` handlers. Resolves once each node has handled it, or can no
   * longer use anything it cached before the message was sent (a node whose subscription is cut counts too: it
   * still serves what it cached before the cut); either way within `stalenessBound` (plus the time to send it). Never rejects: when the message cannot be sent at all, it resolves once the bound has
   * passed, since by then no node holds anything older.
   */
  publish(topic: string, data: JsonValue): Promise<void>;
  /** Sends `data` to every other node without waiting for them; rejects when it cannot be sent. */
  broadcast(topic: string, data: JsonValue): Promise<void>;
  /** Registers a handler of the other nodes' messages on `topic`. */
  subscribe(topic: string, handler: ClusterHandler): Unsubscribe;
  /** Whether this node's caches may be used now; called on every cached read, so it must be cheap. */
  cacheState(): CacheState;
}
