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

/** A document to create; without `_id`, the store generates one. */
export interface NewStoredDocument<T extends object = JsonObject> {
  _id?: string;
  _source: T;
}

/** A document with its version: 1 when created, one more at each write. */
export interface VersionedDocument<T extends object = JsonObject> extends StoredDocument<T> {
  _version: number;
}

/** A condition on a write: it happens only while the document is still as the caller read it. */
export interface WriteCondition {
  /**
   * The version the document must be at (from getVersioned); `services.storage.version_conflict` when another
   * write came first. A compare-and-set: of concurrent writes conditioned on one version, at most one succeeds.
   */
  ifVersion?: number;
}

/**
 * A search body. With `lang: "elasticsearch"` (the default) it is `{query?, sort?, search_after?}` in the subset
 * of Elasticsearch's query DSL that Kuzzle's search actions receive: ids, term, terms, match, range, exists,
 * prefix, bool (must, filter, should, must_not), match_all. With `lang: "koncorde"` the query uses Koncorde's
 * keywords (equals, in, range, exists, missing, ids, and, or, not, bool).
 *
 * Without a sort, documents come in the order they were created. A sort orders by its fields, then by `_id`.
 * `search_after` pages by cursor, as Elasticsearch does: the sort values of the last document of the previous
 * page, in the sort's order (`null` for a missing value), optionally followed by its `_id`; it needs a sort.
 */
export interface SearchBody {
  query?: JsonObject;
  sort?: SortSpec;
  search_after?: JsonValue[];
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

/**
 * What a collection declares about its fields. Declared fields (unique or indexed) get an index in every engine,
 * so `term`, `terms`, `range` and `exists` on them are index lookups rather than scans; in exchange they hold
 * scalars only: a string, a number, a boolean or null (a write putting an array or an object there is refused
 * with `services.storage.indexed_field_not_scalar`). Declarations add up: a later call may declare more fields.
 */
export interface CollectionSpec {
  /**
   * Dotted field paths whose values must be unique across the collection. Documents lacking the field, or
   * holding null there, are free.
   */
  unique?: string[];
  /** Dotted field paths the collection is looked up by (a user id, an expiry date...). */
  indexed?: string[];
}

export interface DocumentCollection<T extends object = JsonObject> {
  readonly name: string;
  /** The document, or null when there is none with this id. */
  get(id: string): Promise<StoredDocument<T> | null>;
  /** As get, with the document's version, for a conditional write (`ifVersion`). */
  getVersioned(id: string): Promise<VersionedDocument<T> | null>;
  /** The documents found, in the order of `ids`; missing ids are skipped. */
  mGet(ids: readonly string[]): Promise<StoredDocument<T>[]>;
  /** Creates atomically: `services.storage.document_already_exists` when the id is taken. Generates an id when none is given. */
  create(source: T, id?: string): Promise<StoredDocument<T>>;
  /**
   * Creates every document, in the order given, in one write: all or none on SQLite and PostgreSQL (one
   * transaction); MongoDB stops at the first failure. Generates the ids not given. Rejects as create does.
   */
  mCreate(documents: readonly NewStoredDocument<T>[]): Promise<StoredDocument<T>[]>;
  /** `services.storage.not_found` when there is no such document. */
  replace(id: string, source: T, condition?: WriteCondition): Promise<StoredDocument<T>>;
  createOrReplace(id: string, source: T): Promise<StoredDocument<T>>;
  /**
   * Deep-merges `changes` into the document (objects merge, everything else replaces), atomically: a concurrent
   * write is never lost. not_found when missing.
   */
  update(id: string, changes: Partial<T>, condition?: WriteCondition): Promise<StoredDocument<T>>;
  /** True when a document was deleted, false when there was none. */
  delete(id: string, condition?: WriteCondition): Promise<boolean>;
  /**
   * Deletes the documents of `ids` in one write (one transaction on SQLite and PostgreSQL); answers the ids this
   * call deleted, in the order of `ids`: of concurrent deletes of one document, exactly one answers its id.
   */
  mDelete(ids: readonly string[]): Promise<string[]>;
  /** The page of matching documents, and how many match in all. */
  search(body?: SearchBody, options?: SearchOptions): Promise<SearchResult<T>>;
  /** The page of matching documents, without counting them all: a lookup's cheaper search. */
  find(body?: SearchBody, options?: SearchOptions): Promise<StoredDocument<T>[]>;
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
