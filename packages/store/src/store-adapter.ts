/**
 * The Store port: what a storage engine (SQLite, PostgreSQL, MongoDB) implements. Adapters never parse query
 * DSLs: the storage namespace (storage-namespace.ts) hands them a parsed Filter, so every engine answers one
 * query model the same way.
 * Namespaces (`kernel`, `plugin:<name>`) are plain strings here; only the kernel chooses them.
 */
import type { CollectionSpec, JsonObject, JsonValue, StoredDocument } from '@tessera/plugin-sdk';

export interface CollectionRef {
  readonly namespace: string;
  readonly collection: string;
}

/** A dotted path into `_source` (`a.b.c`), or `_id` for the document id. Validated before it reaches an adapter. */
export type FieldPath = string;

export type Scalar = string | number | boolean | null;

/**
 * The parsed query model. On a field holding an array, a field condition holds when it holds for any element
 * (Elasticsearch's and Koncorde's semantics). Comparisons are type-strict: "1" never equals 1.
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
  /** The field is present and not null. */
  | { readonly kind: 'exists'; readonly field: FieldPath }
  /** String value starting with `value` (case-sensitive). */
  | { readonly kind: 'prefix'; readonly field: FieldPath; readonly value: string }
  /** String value containing `value`, case-insensitively (our reading of Elasticsearch's full-text `match`). */
  | { readonly kind: 'match'; readonly field: FieldPath; readonly value: string }
  | { readonly kind: 'and'; readonly filters: readonly Filter[] }
  | { readonly kind: 'or'; readonly filters: readonly Filter[] }
  | { readonly kind: 'not'; readonly filter: Filter };

export interface SortField {
  readonly field: FieldPath;
  readonly order: 'asc' | 'desc';
}

export interface SearchQuery {
  readonly filter: Filter;
  /** Applied in order, then `_id` ascending as the tie-breaker so pages are stable. */
  readonly sort: readonly SortField[];
  readonly from: number;
  readonly size: number;
}

export interface StoreAdapter {
  /** `sqlite`, `postgres`, `mongodb`. */
  readonly engine: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /** True when the engine answers. */
  ping(): Promise<boolean>;
  /** Idempotent. Unique fields get a unique index; documents without the field are not constrained. */
  ensureCollection(ref: CollectionRef, spec: CollectionSpec): Promise<void>;
  get(ref: CollectionRef, id: string): Promise<StoredDocument | null>;
  mGet(ref: CollectionRef, ids: readonly string[]): Promise<StoredDocument[]>;
  /**
   * Inserts atomically. Rejects with `services.storage.document_already_exists` when the id is taken and with
   * `services.storage.unique_violation` when a unique field's value is taken.
   */
  create(ref: CollectionRef, id: string, source: JsonObject): Promise<void>;
  /** Replaces an existing document; false when there is none. Unique fields as in create. */
  replace(ref: CollectionRef, id: string, source: JsonObject): Promise<boolean>;
  /** Creates or replaces. Unique fields as in create. */
  put(ref: CollectionRef, id: string, source: JsonObject): Promise<void>;
  /**
   * Atomically reads the document, passes its source to `change`, and writes the result back.
   * Returns the new source, or null when there is no such document (then `change` is not called).
   */
  modify(
    ref: CollectionRef,
    id: string,
    change: (source: JsonObject) => JsonObject,
  ): Promise<JsonObject | null>;
  delete(ref: CollectionRef, id: string): Promise<boolean>;
  search(ref: CollectionRef, query: SearchQuery): Promise<{ hits: StoredDocument[]; total: number }>;
  count(ref: CollectionRef, filter: Filter): Promise<number>;
  deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number>;
}

export type { JsonValue };
