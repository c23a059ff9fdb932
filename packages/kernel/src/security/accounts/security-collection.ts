/**
 * SecurityCollection: one kernel collection of security documents (users, profiles or roles). It owns what
 * the three repositories share: the `_kuzzle_info` stamps, the errors for a missing or taken id, and an
 * in-memory cache of the documents every request reads (its user, their profiles and roles).
 *
 * The cache is invalidated by every write made through this module, which is enough on one node. A cluster
 * also needs the other nodes to hear about a write: invalidation messages on the ClusterBus, which comes with
 * Redis; `invalidate()` is what those messages will call.
 */
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

export interface SecurityCollectionOptions {
  /**
   * How many documents to keep in memory (0: none). When full, the least recently read goes: all the roles and
   * profiles fit, the users of a large store may not.
   */
  readonly cacheSize: number;
  readonly now: () => number;
  /** Error for a missing id; it takes the id as its only placeholder. */
  readonly notFound: ErrorId;
  /** Error for create on a taken id; the store's own `services.storage.document_already_exists` when absent. */
  readonly alreadyExists?: ErrorId;
}

export class SecurityCollection<T extends JsonObject> {
  private readonly cache: Map<string, SecurityDocument<T>> | null;
  /** Bumped by every write, so a read that started before a write never caches what it read. */
  private generation = 0;

  constructor(
    private readonly documents: DocumentCollection<Stored<T>>,
    private readonly options: SecurityCollectionOptions,
  ) {
    this.cache = options.cacheSize > 0 ? new Map() : null;
  }

  /** The document, or null. Cached documents are deep-frozen: every caller shares them. */
  async find(id: string): Promise<SecurityDocument<T> | null> {
    const cached = this.cache?.get(id);
    if (cached !== undefined) {
      // Read again: it becomes the most recent (a Map iterates in insertion order).
      this.cache?.delete(id);
      this.cache?.set(id, cached);
      return cached;
    }
    const generation = this.generation;
    const document = await this.documents.get(id);
    if (document === null || this.cache === null) return document;
    deepFreeze(document);
    if (generation !== this.generation) return document;
    if (this.cache.size >= this.options.cacheSize)
      this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(id, document);
    return document;
  }

  /** The cached document, without reading the store (and without making it the most recent): undefined if not cached. */
  peek(id: string): SecurityDocument<T> | undefined {
    return this.cache?.get(id);
  }

  /** Bumped by every write and invalidation: a value read at two moments tells whether anything changed between. */
  get revision(): number {
    return this.generation;
  }

  async get(id: string): Promise<SecurityDocument<T>> {
    const document = await this.find(id);
    if (document === null) throw new TesseraError(this.options.notFound, [id]);
    return document;
  }

  /** The documents found, in the order of `ids`; missing ids are skipped. */
  async mGet(ids: readonly string[]): Promise<SecurityDocument<T>[]> {
    if (this.cache === null) return this.documents.mGet(ids);
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
    return this.write(id, () => this.documents.create(this.stamp(content, this.created(actor)), id));
  }

  createOrReplace(id: string, content: T, actor: Actor): Promise<SecurityDocument<T>> {
    return this.write(id, () => this.documents.createOrReplace(id, this.stamp(content, this.created(actor))));
  }

  /** Replaces the content of an existing document; as Kuzzle, its `_kuzzle_info` starts over. */
  replace(id: string, content: T, actor: Actor): Promise<SecurityDocument<T>> {
    return this.write(id, () => this.documents.replace(id, this.stamp(content, this.created(actor))));
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
        return await this.write(id, () =>
          this.documents.replace(id, this.stamp(content, updated), { ifVersion: read._version }),
        );
      } catch (error) {
        const conflict = isTesseraError(error) && error.id === 'services.storage.version_conflict';
        if (!conflict || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.write(id, () => this.documents.delete(id));
    if (!deleted) throw new TesseraError(this.options.notFound, [id]);
  }

  /** Forgets the cached `id`, or every cached document. */
  invalidate(id?: string): void {
    this.generation += 1;
    if (id === undefined) this.cache?.clear();
    else this.cache?.delete(id);
  }

  private async write<R>(id: string, operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      throw this.translate(id, error);
    } finally {
      this.invalidate(id);
    }
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
