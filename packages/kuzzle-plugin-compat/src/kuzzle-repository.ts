/**
 * Kuzzle's plugin storage on the plugin's own storage namespace: `accessors.storage.bootstrap` and
 * `createCollection`, and the `constructors.Repository` they serve. Nothing here names another namespace:
 * every collection comes from the plugin's `ctx.storage`.
 *
 * What Kuzzle's repositories do that the plugins rely on, and is kept:
 * - documents are read as `new ObjectConstructor()` with the stored fields and `_id` assigned onto it;
 * - every write stamps `_kuzzle_info` (`createdAt`, `updatedAt`, `author`, `updater`), which the local strategy
 *   reads to expire passwords;
 * - `get` of a missing document is `services.storage.not_found`, except in a collection named `users`, where it
 *   is null (Kuzzle's plugin repository makes that one exception);
 * - searches take Elasticsearch's query DSL. On a field its mapping declares `keyword` (and on `_id`), `match`
 *   is an exact comparison in Elasticsearch, so it is rewritten into `term` here: Tessera's `match` is a
 *   substring match, which would let a kuid match another that contains it.
 */
import {
  tesseraError,
  type DocumentCollection,
  type JsonObject,
  type JsonValue,
  type SearchBody,
  type StorageNamespace,
} from '@tessera/plugin-sdk';

/** Elasticsearch mappings, as a plugin's `bootstrap` gives them: `{ properties: { field: { type } } }`. */
type Mapping = { readonly properties?: Readonly<Record<string, Mapping & { readonly type?: string }>> };

export interface KuzzleStorage {
  readonly accessors: {
    bootstrap(collections: unknown): Promise<void>;
    createCollection(collection: string, mappings?: unknown): Promise<void>;
  };
  /** `new Repository(collection, ObjectConstructor?)` */
  readonly Repository: new (collection: string, ObjectConstructor?: new () => object) => KuzzleRepository;
}

export interface KuzzleRepository {
  create(object: Record<string, unknown>, options?: unknown): Promise<WriteResult>;
  createOrReplace(object: Record<string, unknown>, options?: unknown): Promise<WriteResult>;
  replace(object: Record<string, unknown>, options?: unknown): Promise<WriteResult>;
  update(object: Record<string, unknown>, options?: unknown): Promise<WriteResult>;
  delete(id: string, options?: unknown): Promise<void>;
  get(id: string): Promise<object | null>;
  mGet(ids: string[]): Promise<object[]>;
  search(
    body?: Record<string, unknown>,
    options?: { from?: number; size?: number },
  ): Promise<{ hits: object[]; total: number; aggregations: undefined; scrollId: undefined }>;
}

/** What Kuzzle's store answers to a write. */
export interface WriteResult {
  _id: string;
  _source: JsonObject;
  _version: number;
}

export function createKuzzleStorage(storage: StorageNamespace, now: () => number = Date.now): KuzzleStorage {
  /** Keyword fields (dotted paths) per collection, from the mappings the plugin bootstrapped. */
  const keywords = new Map<string, ReadonlySet<string>>();

  const open = async (collection: string, mappings?: unknown): Promise<DocumentCollection> => {
    if (mappings !== undefined) keywords.set(collection, keywordFields(mappings as Mapping));
    return storage.collection(collection);
  };

  class Repository implements KuzzleRepository {
    private readonly opened: Promise<DocumentCollection>;
    private readonly storageName = storage.name;

    constructor(
      private readonly collection: string,
      private readonly ObjectConstructor: new () => object = Object,
    ) {
      if (typeof collection !== 'string' || collection === '') {
        throw tesseraError('plugin.kuzzle.bad_request', 'A repository needs a collection name.');
      }
      this.opened = storage.collection(collection);
      // Opened eagerly, awaited at first use: a bad name surfaces there, not as an unhandled rejection.
      this.opened.catch(() => undefined);
    }

    async create(object: Record<string, unknown>): Promise<WriteResult> {
      const { id, source } = split(object);
      const at = now();
      const stamped = { ...source, _kuzzle_info: info(at, null) };
      const created = await (await this.opened).create(stamped, id);
      return { _id: created._id, _source: created._source, _version: 1 };
    }

    async createOrReplace(object: Record<string, unknown>): Promise<WriteResult> {
      const { id, source } = split(object);
      const written = await (await this.opened).createOrReplace(required(id), stamp(source, now()));
      return this.versioned(written._id, written._source);
    }

    async replace(object: Record<string, unknown>): Promise<WriteResult> {
      const { id, source } = split(object);
      const written = await (await this.opened).replace(required(id), stamp(source, now()));
      return this.versioned(written._id, written._source);
    }

    async update(object: Record<string, unknown>): Promise<WriteResult> {
      const { id, source } = split(object);
      // Objects merge on update: `_kuzzle_info.createdAt` stays, `updatedAt` moves.
      const changes = { ...source, _kuzzle_info: { updatedAt: now(), updater: null } };
      const written = await (await this.opened).update(required(id), changes);
      return this.versioned(written._id, written._source);
    }

    async delete(id: string): Promise<void> {
      if (!(await (await this.opened).delete(id)))
        throw tesseraError('services.storage.not_found', id, this.storageName, this.collection);
    }

    async get(id: string): Promise<object | null> {
      const found = await (await this.opened).get(id);
      if (found) return this.toObject(found._id, found._source);
      if (this.collection === 'users') return null;
      throw tesseraError('services.storage.not_found', id, this.storageName, this.collection);
    }

    async mGet(ids: string[]): Promise<object[]> {
      const found = await (await this.opened).mGet(ids);
      return found.map((document) => this.toObject(document._id, document._source));
    }

    async search(body: Record<string, unknown> = {}, options: { from?: number; size?: number } = {}) {
      const fields = keywords.get(this.collection) ?? new Set<string>();
      const search: SearchBody = {};
      if (body.query !== undefined)
        search.query = exactKeywords(body.query as JsonValue, fields) as JsonObject;
      if (body.sort !== undefined) search.sort = body.sort as SearchBody['sort'];
      if (body.search_after !== undefined) search.search_after = body.search_after as JsonValue[];
      const { hits, total } = await (
        await this.opened
      ).search(search, {
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.size === undefined ? {} : { size: options.size }),
      });
      return {
        hits: hits.map((hit) => this.toObject(hit._id, hit._source)),
        total,
        aggregations: undefined,
        scrollId: undefined,
      };
    }

    private async versioned(id: string, source: JsonObject): Promise<WriteResult> {
      const current = await (await this.opened).getVersioned(id);
      return { _id: id, _source: source, _version: current?._version ?? 1 };
    }

    private toObject(id: string, source: JsonObject): object {
      const object = new this.ObjectConstructor();
      return Object.assign(object, source, { _id: id });
    }
  }

  return {
    accessors: Object.freeze({
      async bootstrap(collections: unknown) {
        if (typeof collections !== 'object' || collections === null || Array.isArray(collections)) {
          throw tesseraError(
            'plugin.kuzzle.bad_request',
            'storage.bootstrap expects collections and their mappings.',
          );
        }
        for (const [collection, mappings] of Object.entries(collections)) await open(collection, mappings);
      },
      async createCollection(collection: string, mappings?: unknown) {
        await open(collection, mappings);
      },
    }),
    Repository,
  };
}

/** The stored form of a repository object: its own enumerable fields as JSON, without `_id`. */
function split(object: Record<string, unknown>): { id: string | undefined; source: JsonObject } {
  const { _id, ...rest } = object;
  return {
    id: typeof _id === 'string' ? _id : undefined,
    source: JSON.parse(JSON.stringify(rest)) as JsonObject,
  };
}

function required(id: string | undefined): string {
  if (id === undefined) throw tesseraError('plugin.kuzzle.bad_request', 'The document needs an _id.');
  return id;
}

function info(createdAt: number, updatedAt: number | null): JsonObject {
  return { author: null, createdAt, updatedAt, updater: null };
}

/** Kuzzle's stamp for a write that replaces the whole document. */
function stamp(source: JsonObject, at: number): JsonObject {
  return { ...source, _kuzzle_info: info(at, at) };
}

function keywordFields(mapping: Mapping, prefix = ''): ReadonlySet<string> {
  const fields = new Set<string>();
  for (const [name, field] of Object.entries(mapping?.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (field?.type === 'keyword') fields.add(path);
    for (const nested of keywordFields(field, path)) fields.add(nested);
  }
  return fields;
}

/** The query with each `match` on a keyword field (or `_id`) made the exact `term` Elasticsearch runs there. */
function exactKeywords(query: JsonValue, fields: ReadonlySet<string>): JsonValue {
  if (Array.isArray(query)) return query.map((item) => exactKeywords(item, fields));
  if (typeof query !== 'object' || query === null) return query;
  const rewritten: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'match' && isMatchOnExactField(value, fields)) {
      const [[field, operand]] = Object.entries(value) as [[string, JsonValue]];
      const text =
        typeof operand === 'object' && operand !== null && !Array.isArray(operand) ? operand.query : operand;
      if (field === '_id') rewritten.ids = { values: [text ?? null] };
      else rewritten.term = { [field]: text ?? null };
    } else {
      rewritten[key] = exactKeywords(value, fields);
    }
  }
  return rewritten;
}

function isMatchOnExactField(value: JsonValue, fields: ReadonlySet<string>): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === '_id' || fields.has(keys[0]!));
}
