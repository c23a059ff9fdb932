/**
 * The Store port: what a storage engine (SQLite, PostgreSQL, MongoDB) implements. Adapters never parse query
 * DSLs: the storage namespace (storage-namespace.ts) hands them a parsed Filter, so every engine answers one
 * query model the same way. Namespaces (`kernel`, `plugin:<name>`) are plain strings here; only the kernel
 * chooses them. The Store conformance suite in `@tessera/testing` holds every adapter to this contract.
 */
import type { JsonObject, JsonValue, VersionedDocument, WriteCondition } from '@tessera/plugin-sdk';

export interface CollectionRef {
  readonly namespace: string;
  readonly collection: string;
}

/** A dotted path into `_source` (`a.b.c`), or `_id` for the document id. Validated before it reaches an adapter. */
export type FieldPath = string;

export type Scalar = string | number | boolean | null;

/**
 * The fields a collection declares, validated and sorted. Declared fields hold scalars only (the namespace
 * refuses anything else), so an adapter may serve conditions on them from an index of their plain value.
 */
export interface CollectionSchema {
  /** A unique index each; documents lacking the field or holding null there are not constrained. */
  readonly unique: readonly FieldPath[];
  /** A plain index each. */
  readonly indexed: readonly FieldPath[];
}

/**
 * The parsed query model. On a field holding an array, a field condition holds when it holds for any element
 * (Elasticsearch's and Koncorde's semantics); an object's members are not values of the field. A path never
 * descends into an array. Comparisons are type-strict ("1" never equals 1), and strings compare by Unicode code
 * point, whatever the engine's collation.
 */
export type Filter =
  | { readonly kind: 'all' }
  | { readonly kind: 'ids'; readonly values: readonly string[] }
  | { readonly kind: 'term'; readonly field: FieldPath; readonly value: Scalar }
  | { readonly kind: 'terms'; readonly field: FieldPath; readonly values: readonly Scalar[] }
  | {
      readonly kind: 'range';
      readonly field: FieldPath;
      readonly gt?: number | string;
      readonly gte?: number | string;
      readonly lt?: number | string;
      readonly lte?: number | string;
    }
  /** The field holds a value other than null: a scalar, or one in its arrays or objects at any depth. */
  | { readonly kind: 'exists'; readonly field: FieldPath }
  /** String value starting with `value` (case-sensitive). */
  | { readonly kind: 'prefix'; readonly field: FieldPath; readonly value: string }
  /**
   * String value containing `value`, case-insensitively: our reading of Elasticsearch's full-text queries
   * (`match`, `match_phrase`, `match_phrase_prefix`, `multi_match` on named fields), with no analyzer.
   */
  | { readonly kind: 'match'; readonly field: FieldPath; readonly value: string }
  /**
   * Some string anywhere in the document's source (at any depth, array elements and object members alike)
   * contains `value`, case-insensitively: `match` on every field at once (multi_match over `"*"`). The id is
   * not part of the source.
   */
  | { readonly kind: 'matchAnyField'; readonly value: string }
  /**
   * String value matched whole by `pattern`, a regular expression in the syntax RE2, PostgreSQL and PCRE read
   * alike (lucene-regexp.ts): literals, punctuation escaped with `\`, `.` (any character, newlines included),
   * bracket classes, `(?:…)`, `|`, `* + ? {n} {n,} {n,m}` (counts up to 255); no anchors: the adapter anchors
   * it. `caseInsensitive` folds case as the engine does.
   */
  | {
      readonly kind: 'regexp';
      readonly field: FieldPath;
      readonly pattern: string;
      readonly caseInsensitive: boolean;
    }
  | { readonly kind: 'and'; readonly filters: readonly Filter[] }
  | { readonly kind: 'or'; readonly filters: readonly Filter[] }
  | { readonly kind: 'not'; readonly filter: Filter };

export interface SortField {
  readonly field: FieldPath;
  readonly order: 'asc' | 'desc';
}

/**
 * A search. Order: with an empty `sort`, the order documents were created in (a replace keeps a document's
 * place). Otherwise by each sort key in turn: a document's key for a field is its value, on an array its
 * smallest element ascending and its largest descending; values of several types order numbers, then
 * strings, then booleans (false first), reversed when descending; documents lacking the field (or holding
 * only null, `[]`, objects there) come last in both directions. The parser ends every non-empty sort with `_id`,
 * so the order is total.
 */
export interface SearchQuery {
  readonly filter: Filter;
  readonly sort: readonly SortField[];
  /**
   * Only documents whose sort keys come strictly after these values, compared key by key in the sort's order:
   * a cursor of at most `sort.length` values (null standing for a missing value). Never set with an empty sort.
   */
  readonly after?: readonly Scalar[];
  readonly from: number;
  readonly size: number;
  /** Whether to count every match (a second pass for most engines); `total` is left out when false. */
  readonly total: boolean;
}

/** A document to create: its id (already checked) and its source. */
export interface NewDocument {
  readonly id: string;
  readonly source: JsonObject;
}

export interface SearchPage {
  readonly hits: VersionedDocument[];
  /** Present when the query asked for it. */
  readonly total?: number;
}

/**
 * Every method rejects with a catalog TesseraError: the ones named below, `services.storage.not_connected` when
 * the engine cannot be reached (the call fails within a bounded time, and a later call succeeds once the
 * engine is back), `services.storage.unexpected_error` for anything else.
 */
export interface StoreAdapter {
  /** `sqlite`, `postgres`, `mongodb`. */
  readonly engine: string;
  /**
   * Connects, and creates or migrates the adapter's own schema. Rejects when the engine cannot be reached, with
   * an error naming the engine and where it is (never a password).
   */
  open(): Promise<void>;
  close(): Promise<void>;
  /** True when the engine answers. */
  ping(): Promise<boolean>;
  /**
   * Every collection the store holds, of every namespace, in no particular order: what `store:export` walks.
   * `ensureCollection(ref, {unique: [], indexed: []})` answers what each declares.
   */
  collections(): Promise<CollectionRef[]>;
  /**
   * Creates the collection and the indexes of `schema` when missing (idempotent, safe when several nodes call
   * it at once), and answers everything the collection declares by now: `schema` merged with what earlier calls,
   * from any process, declared. Rejects with `services.storage.unique_violation` when stored documents already
   * break a new unique field, and `services.storage.indexed_field_not_scalar` when they hold a non-scalar value
   * in a newly declared field.
   */
  ensureCollection(ref: CollectionRef, schema: CollectionSchema): Promise<CollectionSchema>;
  get(ref: CollectionRef, id: string): Promise<VersionedDocument | null>;
  mGet(ref: CollectionRef, ids: readonly string[]): Promise<VersionedDocument[]>;
  /**
   * Inserts atomically, at version 1. Rejects with `services.storage.document_already_exists` when the id is taken
   * and with `services.storage.unique_violation` when a unique field's value is taken.
   */
  create(ref: CollectionRef, id: string, source: JsonObject): Promise<void>;
  /**
   * Creates every document, at version 1 and in the order given, in one transaction where the engine has them
   * (SQLite, PostgreSQL: all or none). Rejects as create does; MongoDB, which has no transaction outside a
   * replica set, stops at the first failure and keeps the documents inserted before it.
   */
  mCreate(ref: CollectionRef, documents: readonly NewDocument[]): Promise<void>;
  /**
   * Replaces an existing document, one version up, keeping its place in the creation order. Answers the document
   * as it was, or null when there is none (nothing is written). Unique fields as in create.
   */
  replace(
    ref: CollectionRef,
    id: string,
    source: JsonObject,
    condition?: WriteCondition,
  ): Promise<VersionedDocument | null>;
  /** Creates (at version 1) or replaces (one version up); answers the document replaced, or null. */
  put(ref: CollectionRef, id: string, source: JsonObject): Promise<VersionedDocument | null>;
  /** Deletes; answers the document as it was, or null when there was none. */
  delete(ref: CollectionRef, id: string, condition?: WriteCondition): Promise<VersionedDocument | null>;
  /**
   * Deletes the documents of `ids`, in one transaction where the engine has them (SQLite, PostgreSQL; MongoDB
   * deletes each atomically); answers the ids this call deleted, in the order of `ids`. Of concurrent deletes of
   * one document, exactly one answers its id.
   */
  mDelete(ref: CollectionRef, ids: readonly string[]): Promise<string[]>;
  search(ref: CollectionRef, query: SearchQuery): Promise<SearchPage>;
  count(ref: CollectionRef, filter: Filter): Promise<number>;
  deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number>;
}

export type { JsonValue, WriteCondition };
