/**
 * CoherentCache: a node's read cache (lru-cache) that stays true while other nodes write, through the
 * ClusterBus. Token records, users, profiles and roles are read on every request; each is cached by one.
 *
 * What keeps an entry true:
 * - every write goes through `invalidate`, which forgets the keys here, then on every other node before it
 *   resolves (`ClusterBus.publish`), so whoever wrote may answer as if the change were everywhere;
 * - a read that started before an invalidation (or a write) is not cached: it may hold what was just changed;
 * - an entry lives at most `stalenessBound` ms from the read that produced it (the bound if a message is lost);
 * - while the bus says the node may be missing messages (`fresh` false: its subscription is cut), nothing new is
 *   cached and nothing is extended, but what was cached before keeps serving until its own lifetime ends;
 * - everything is dropped when the bus starts a new epoch (messages may have been lost meanwhile).
 *
 * Why serving a cut node from its cache stays within the bound: every entry was read while the node heard every
 * invalidation, and is dropped the moment one names it. An invalidation the node missed was sent after the cut,
 * so after the read; the entry it would have dropped dies `stalenessBound` after that read all the same. So a
 * token revoked on another node while this one is cut stops being accepted here at most `stalenessBound` after
 * this node read its record, so at most `stalenessBound` after the revocation. The writer's `publish` does not
 * resolve before that (ClusterBus.publish counts cut nodes too), so once a revocation is answered, no node
 * accepts the token. A bus without a bound (0: one node, nothing to miss) has no such limit: its cache is not
 * used at all while it is not fresh.
 * With the one-node bus none of this costs anything: nothing is published, entries live until evicted.
 */
import { LRUCache } from 'lru-cache';
import type { JsonValue, Unsubscribe } from '@tessera/plugin-sdk';
import type { ClusterBus } from './cluster-bus';

export interface CoherentCacheOptions {
  /** The cache's name, the same on every node: its invalidations travel under it. */
  readonly name: string;
  readonly bus: ClusterBus;
  /** Entries kept, least recently used evicted first; 0 keeps none (every read goes to the source). */
  readonly max: number;
  /** A monotonic clock in ms, which entry lifetimes are measured with: `performance.now` unless a test moves it. */
  readonly clock?: () => number;
}

/** Values are shared by every caller: cache frozen things. */
export class CoherentCache<V extends object> {
  private readonly entries: LRUCache<string, V> | null;
  private readonly clock: () => number;
  private readonly unsubscribe: Unsubscribe;
  /** Bumped by every write and invalidation, so a read that started before one never caches what it read. */
  private generation = 0;
  private epoch: number;

  constructor(private readonly options: CoherentCacheOptions) {
    const { bus, max } = options;
    this.clock = options.clock ?? (() => performance.now());
    // ttlResolution 0: an entry's age is measured on every read, not on a clock reading up to 1 ms old.
    const ttl =
      bus.stalenessBound > 0 ? { ttl: bus.stalenessBound, ttlResolution: 0, perf: { now: this.clock } } : {};
    this.entries = max > 0 ? new LRUCache<string, V>({ max, ...ttl }) : null;
    this.epoch = bus.cacheState().epoch;
    this.unsubscribe = bus.subscribe(this.topic, (data) => this.forget(keysIn(data)));
  }

  /** Changes with every write and invalidation: a value read at two moments tells whether anything changed. */
  get revision(): number {
    this.sync();
    return this.generation;
  }

  /** The cached value (now the most recently used), or undefined. */
  get(key: string): V | undefined {
    return this.usable()?.get(key);
  }

  /** The cached value, without making it the most recently used. */
  peek(key: string): V | undefined {
    return this.usable()?.peek(key);
  }

  /**
   * The cached value, or what `load` reads: cached when the node heard every message from the start of the
   * read to its end (fresh then, same epoch) and nothing was written meanwhile. Null is not cached.
   */
  async read(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const generation = this.revision;
    const start = this.clock();
    const value = await load();
    // A new epoch bumps the generation (sync), so a read that straddled a cut is never kept.
    if (value !== null && this.sync() && this.generation === generation) this.keep(key, value, start);
    return value;
  }

  /** Caches what this node has just created (no node can hold an older version of it), unless it is cut off. */
  set(key: string, value: V): void {
    this.generation += 1;
    if (this.sync()) this.keep(key, value, this.clock());
  }

  /**
   * Forgets `keys` (null: everything) here, then on every other node; resolves once all have (or can no longer
   * use them). Call it after the write committed.
   */
  async invalidate(keys: readonly string[] | null): Promise<void> {
    this.forget(keys);
    await this.options.bus.publish(this.topic, keys === null ? null : [...keys]);
  }

  /** Forgets `keys` (null: everything) on this node only. */
  forget(keys: readonly string[] | null): void {
    this.generation += 1;
    if (keys === null) this.entries?.clear();
    else for (const key of keys) this.entries?.delete(key);
  }

  /** Stops hearing the other nodes' invalidations. */
  close(): void {
    this.unsubscribe();
  }

  private get topic(): string {
    return `cache:${this.options.name}`;
  }

  /** The entries that may serve now: all of them while fresh; while cut off, those still within their bound. */
  private usable(): LRUCache<string, V> | null {
    return this.sync() || this.options.bus.stalenessBound > 0 ? this.entries : null;
  }

  /** Drops everything when the bus started a new epoch; returns whether the node hears every message now. */
  private sync(): boolean {
    const { fresh, epoch } = this.options.bus.cacheState();
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.forget(null);
    }
    return fresh;
  }

  private keep(key: string, value: V, start: number): void {
    this.entries?.set(key, value, { start });
  }
}

/** The keys an invalidation names; null (everything) for anything else, which can only err on the safe side. */
function keysIn(data: JsonValue): string[] | null {
  return Array.isArray(data) && data.every((key) => typeof key === 'string') ? data : null;
}
