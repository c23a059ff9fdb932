/**
 * SecurityCollection: one kernel collection of security documents (users, profiles or roles). It owns what
 * the three repositories share: the `_kuzzle_info` stamps, the errors for a missing or taken id, the change
 * events, and the cache of the documents every request reads (its user, their profiles and roles).
 *
 * The cache is a CoherentCache: every write made through this module forgets the document on every node of
 * the cluster before it resolves, so a role changed on one node applies to the next request on any other.
 */
import { CoherentCache, type ClusterBus } from '@tessera/cluster';
import {
  TesseraError,
  isTesseraError,
  type DocumentCollection,
  type ErrorId,
  type JsonObject,
  type SearchBody,
  type SearchOptions,
  type SearchResult,
} from '@tessera/plugin-sdk';
import { scanDocuments } from '@tessera/store';
import type { KuzzleInfo, SecurityDocument } from '../model';

/** How many times update runs its change again over a concurrent write before giving up. */
const UPDATE_ATTEMPTS = 100;

/** The kuid a write is made for; null when the server itself writes (the bootstrap). */
export type Actor = string | null;

/** A document's source as stored: its content plus who made and changed it. */
export type Stored<T extends JsonObject> = T & { _kuzzle_info: KuzzleInfo };

/** A write that committed: what the change events say (the document's id and who wrote it). */
export interface SecurityChange {
  readonly id: string;
  readonly verb: 'created' | 'updated' | 'deleted';
  readonly actor: Actor;
}

export interface SecurityCollectionOptions {
  /** The cache's name, the same on every node (its invalidations travel under it). */
  readonly name: string;
  /** Keeps this node's cache true while other nodes write. */
  readonly clusterBus: ClusterBus;
  /**
   * How many documents to keep in memory (0: none). When full, the least recently read goes: all the roles and
   * profiles fit, the users of a large store may not.
   */
  readonly cacheSize: number;
  /** Told of every committed write, after every node has forgotten the old document. */
  readonly onChange?: (change: SecurityChange) => void;
  readonly now: () => number;
  /** Error for a missing id; it takes the id as its only placeholder. */
  readonly notFound: ErrorId;
  /** Error for create on a taken id; the store's own `services.storage.document_already_exists` when absent. */
  readonly alreadyExists?: ErrorId;
}

export class SecurityCollection<T extends JsonObject> {
  private readonly cache: CoherentCache<SecurityDocument<T>>;

  constructor(
    private readonly documents: DocumentCollection<Stored<T>>,
    private readonly options: SecurityCollectionOptions,
  ) {
    this.cache = new CoherentCache({
      name: `security:${options.name}`,
      bus: options.clusterBus,
      max: options.cacheSize,
    });
  }

  /** The document, or null. Cached documents are deep-frozen: every caller shares them. */
  find(id: string): Promise<SecurityDocument<T> | null> {
    return this.cache.read(id, async () => {
      const document = await this.documents.get(id);
      if (document !== null) deepFreeze(document);
      return document;
    });
  }

  /** The cached document, now the most recently read, without reading the store: what `find` answers first. */
  cached(id: string): SecurityDocument<T> | undefined {
    return this.cache.get(id);
  }

  /** The cached document, without reading the store (and without making it the most recent): undefined if not cached. */
  peek(id: string): SecurityDocument<T> | undefined {
    return this.cache.peek(id);
  }

  /** Changes with every write and invalidation: a value read at two moments tells whether anything changed between. */
  get revision(): number {
    return this.cache.revision;
  }

  async get(id: string): Promise<SecurityDocument<T>> {
    const document = await this.find(id);
    if (document === null) throw new TesseraError(this.options.notFound, [id]);
    return document;
  }

  /** The documents found, in the order of `ids`; missing ids are skipped. */
  async mGet(ids: readonly string[]): Promise<SecurityDocument<T>[]> {
    if (this.options.cacheSize === 0) return this.documents.mGet(ids);
    const found = await Promise.all(ids.map((id) => this.find(id)));
    return found.filter((document) => document !== null);
  }

  /** The not-found error of the first of `ids` that names no document. */
  async assertExist(ids: readonly string[]): Promise<void> {
    const found = new Set((await this.mGet(ids)).map((document) => document._id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new TesseraError(this.options.notFound, [missing]);
  }

  search(body?: SearchBody, options?: SearchOptions): Promise<SearchResult<Stored<T>>> {
    return this.documents.search(body, options);
  }

  count(body?: SearchBody): Promise<number> {
    return this.documents.count(body);
  }

  /** Every document matching `body`, page after page: for the internal scans the store cannot express as a query. */
  scan(body: SearchBody = {}): AsyncGenerator<SecurityDocument<T>> {
    return scanDocuments(this.documents, body.query);
  }

  create(id: string, content: T, actor: Actor): Promise<SecurityDocument<T>> {
    return this.write({ id, verb: 'created', actor }, () =>
      this.documents.create(this.stamp(content, this.created(actor)), id),
    );
  }

  /** Told as an update: the store does not say whether the document existed. */
  createOrReplace(id: string, content: T, actor: Actor): Promise<SecurityDocument<T>> {
    return this.write({ id, verb: 'updated', actor }, () =>
      this.documents.createOrReplace(id, this.stamp(content, this.created(actor))),
    );
  }

  /** Replaces the content of an existing document; as Kuzzle, its `_kuzzle_info` starts over. */
  replace(id: string, content: T, actor: Actor): Promise<SecurityDocument<T>> {
    return this.write({ id, verb: 'updated', actor }, () =>
      this.documents.replace(id, this.stamp(content, this.created(actor))),
    );
  }

  /**
   * Replaces the content with `change(current content)`, keeping who created the document. `change` also
   * validates. The write is conditioned on the version read: when another write came first, `change` runs
   * again on what it wrote, so no concurrent update is lost.
   */
  async update(
    id: string,
    change: (current: T) => T | Promise<T>,
    actor: Actor,
  ): Promise<SecurityDocument<T>> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.documents.getVersioned(id);
      if (read === null) throw new TesseraError(this.options.notFound, [id]);
      const { _kuzzle_info: info, ...current } = read._source;
      const content = await change(contentOf<T>(current));
      const updated: KuzzleInfo = { ...info, updater: actor, updatedAt: this.options.now() };
      try {
        return await this.write({ id, verb: 'updated', actor }, () =>
          this.documents.replace(id, this.stamp(content, updated), { ifVersion: read._version }),
        );
      } catch (error) {
        const conflict = isTesseraError(error) && error.id === 'services.storage.version_conflict';
        if (!conflict || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  async delete(id: string, actor: Actor = null): Promise<void> {
    const deleted = await this.write({ id, verb: 'deleted', actor }, () => this.documents.delete(id));
    if (!deleted) throw new TesseraError(this.options.notFound, [id]);
  }

  /** Forgets the cached `id`, or every cached document, on this node only. */
  invalidate(id?: string): void {
    this.cache.forget(id === undefined ? null : [id]);
  }

  /**
   * Runs the write, then forgets the document on every node (even when the write failed: it may have
   * committed before the error), then tells `onChange` of a write that succeeded.
   */
  private async write<R>(change: SecurityChange, operation: () => Promise<R>): Promise<R> {
    let result: R;
    try {
      result = await operation();
    } catch (error) {
      await this.cache.invalidate([change.id]);
      throw this.translate(change.id, error);
    }
    await this.cache.invalidate([change.id]);
    if (result !== false) this.options.onChange?.(change);
    return result;
  }

  /** The store's generic errors, in the words of this collection. */
  private translate(id: string, error: unknown): unknown {
    if (!isTesseraError(error)) return error;
    const { notFound, alreadyExists } = this.options;
    if (error.id === 'services.storage.not_found') return new TesseraError(notFound, [id], { cause: error });
    if (error.id === 'services.storage.document_already_exists' && alreadyExists !== undefined) {
      return new TesseraError(alreadyExists, [id], { cause: error });
    }
    return error;
  }

  private created(actor: Actor): KuzzleInfo {
    return { author: actor, creator: actor, createdAt: this.options.now(), updater: null, updatedAt: null };
  }

  /** Written last, so a `_kuzzle_info` in the caller's content never survives. */
  private stamp(content: T, info: KuzzleInfo): Stored<T> {
    return { ...content, _kuzzle_info: info };
  }
}

/** The content of a stored source without its `_kuzzle_info`: what was validated as `T` when written. */
function contentOf<T extends JsonObject>(source: Omit<Stored<T>, '_kuzzle_info'>): T {
  return source as unknown as T;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}
