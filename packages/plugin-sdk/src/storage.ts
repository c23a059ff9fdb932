/**
 * What a plugin (and the kernel) sees of storage: a namespace of collections of JSON documents.
 * Every adapter (SQLite, PostgreSQL, MongoDB) gives exactly these semantics; the conformance suite in
 * `@tessera/testing` holds them to it.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface StoredDocument<T extends object = JsonObject> {
  _id: string;
  _source: T;
}

/**
 * A search body. With `lang: "elasticsearch"` (the default) it is `{query?, sort?}` in the subset of
 * Elasticsearch's query DSL that Kuzzle's search actions receive: ids, term, terms, match, range, exists,
 * prefix, bool (must, filter, should, must_not), match_all. With `lang: "koncorde"` it is `{query?: <filters>,
 * sort?}` where the filters use Koncorde's keywords (equals, in, range, exists, missing, ids, and, or, not, bool).
 */
export interface SearchBody {
  query?: JsonObject;
  sort?: SortSpec;
}

/** Elasticsearch's sort forms: "field", {field: "asc"|"desc"}, {field: {order}}, or an array of those. */
export type SortSpec = string | JsonObject | (string | JsonObject)[];

export interface SearchOptions {
  from?: number;
  size?: number;
  lang?: 'elasticsearch' | 'koncorde';
}

export interface SearchResult<T extends object = JsonObject> {
  hits: StoredDocument<T>[];
  /** Number of documents matching the query, regardless of from/size. */
  total: number;
}

export interface CollectionSpec {
  /** Dotted field paths whose values must be unique across the collection (documents lacking the field are free). */
  unique?: string[];
}

export interface DocumentCollection<T extends object = JsonObject> {
  readonly name: string;
  /** The document, or null when there is none with this id. */
  get(id: string): Promise<StoredDocument<T> | null>;
  /** The documents found, in the order of `ids`; missing ids are skipped. */
  mGet(ids: readonly string[]): Promise<StoredDocument<T>[]>;
  /** Creates atomically: `services.storage.document_already_exists` when the id is taken. Generates an id when none is given. */
  create(source: T, id?: string): Promise<StoredDocument<T>>;
  /** `services.storage.not_found` when there is no such document. */
  replace(id: string, source: T): Promise<StoredDocument<T>>;
  createOrReplace(id: string, source: T): Promise<StoredDocument<T>>;
  /** Deep-merges `changes` into the document (objects merge, everything else replaces); not_found when missing. */
  update(id: string, changes: Partial<T>): Promise<StoredDocument<T>>;
  /** True when a document was deleted, false when there was none. */
  delete(id: string): Promise<boolean>;
  search(body?: SearchBody, options?: SearchOptions): Promise<SearchResult<T>>;
  count(body?: SearchBody, options?: Pick<SearchOptions, 'lang'>): Promise<number>;
  /** Deletes every matching document and returns how many. */
  deleteByQuery(body: SearchBody, options?: Pick<SearchOptions, 'lang'>): Promise<number>;
}

/** A namespace of collections. A plugin's `ctx.storage` is its own; nothing in it names another namespace. */
export interface StorageNamespace {
  readonly name: string;
  /** Creates the collection on first use (idempotent) and returns it. Names match `^[a-z][a-z0-9_-]{0,62}$`. */
  collection<T extends object = JsonObject>(
    name: string,
    spec?: CollectionSpec,
  ): Promise<DocumentCollection<T>>;
}
