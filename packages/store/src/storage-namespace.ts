/**
 * Storage namespaces: the StorageNamespace a plugin (or the kernel) gets, built over any StoreAdapter. This is
 * where everything a caller hands to storage is checked (names, ids, document sources, query DSLs) before an
 * adapter sees it, so every engine receives the same validated input and answers with the same errors.
 */
import { randomUUID } from 'node:crypto';
import {
  tesseraError,
  type CollectionSpec,
  type DocumentCollection,
  type JsonObject,
  type JsonValue,
  type StorageNamespace,
  type StoredDocument,
  type TesseraError,
} from '@tessera/plugin-sdk';
import {
  DEFAULT_SEARCH_LIMITS,
  FORBIDDEN_KEYS,
  assertFieldPath,
  parseBodyFilter,
  parseSearch,
  type SearchLimits,
} from './query-parser';
import { isPlainObject } from './is-plain-object';
import type { CollectionRef, StoreAdapter } from './store-adapter';

const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const PLUGIN_NAMESPACE = /^plugin:[a-z][a-z0-9-]*$/;

/** Returns `name` when it is `kernel` or `plugin:<name>`; `services.storage.invalid_namespace` otherwise. */
export function validateNamespace(name: unknown): string {
  if (typeof name !== 'string' || (name !== 'kernel' && !PLUGIN_NAMESPACE.test(name))) {
    throw tesseraError('services.storage.invalid_namespace', String(name));
  }
  return name;
}

/** The namespace `namespace` of `adapter`'s store. */
export function createStorageNamespace(
  adapter: StoreAdapter,
  namespace: string,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): StorageNamespace {
  const name = validateNamespace(namespace);
  // Keyed by collection and unique fields: a later call naming more unique fields must still get its indexes.
  const ensured = new Map<string, Promise<void>>();

  const ensure = (ref: CollectionRef, unique: string[]): Promise<void> => {
    const key = JSON.stringify([ref.collection, unique]);
    let ready = ensured.get(key);
    if (ready === undefined) {
      ready = adapter.ensureCollection(ref, { unique });
      ensured.set(key, ready);
      // Forget a failure (say, duplicates already stored for a new unique field) so a later call retries.
      void ready.catch(() => ensured.delete(key));
    }
    return ready;
  };

  const storage: StorageNamespace = {
    name,
    async collection<T extends object = JsonObject>(
      collection: string,
      spec: CollectionSpec = {},
    ): Promise<DocumentCollection<T>> {
      if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection)) {
        throw tesseraError('services.storage.invalid_collection_name', String(collection));
      }
      const ref: CollectionRef = Object.freeze({ namespace: name, collection });
      await ensure(ref, readUniqueFields(spec));
      return createCollection<T>(adapter, ref, limits);
    },
  };
  return Object.freeze(storage);
}

/**
 * Merges `changes` into `target` without touching either: plain objects merge recursively, anything else
 * (arrays, scalars, null) replaces.
 */
export function deepMerge(target: JsonObject, changes: JsonObject): JsonObject {
  const merged: JsonObject = { ...target };
  for (const [key, change] of Object.entries(changes)) {
    assertSafeKey(key, 'changes');
    const current = merged[key];
    merged[key] = isJsonObject(change) && isJsonObject(current) ? deepMerge(current, change) : change;
  }
  return merged;
}

function createCollection<T extends object>(
  adapter: StoreAdapter,
  ref: CollectionRef,
  limits: SearchLimits,
): DocumentCollection<T> {
  const notFound = (id: string) =>
    tesseraError('services.storage.not_found', id, ref.namespace, ref.collection);

  const documents: DocumentCollection<T> = {
    name: ref.collection,

    async get(id: string) {
      const document = await adapter.get(ref, readId(id));
      return document === null ? null : typed<T>(document);
    },

    async mGet(ids: readonly string[]) {
      if (!Array.isArray(ids)) throw invalid('ids', 'an array of document ids');
      return (await adapter.mGet(ref, ids.map(readId))).map(typed<T>);
    },

    async create(source: T, id?: string) {
      const document = {
        _id: id === undefined ? randomUUID() : readId(id),
        _source: toSource(source, '_source'),
      };
      await adapter.create(ref, document._id, document._source);
      return typed<T>(document);
    },

    async replace(id: string, source: T) {
      const document = { _id: readId(id), _source: toSource(source, '_source') };
      if (!(await adapter.replace(ref, document._id, document._source))) throw notFound(document._id);
      return typed<T>(document);
    },

    async createOrReplace(id: string, source: T) {
      const document = { _id: readId(id), _source: toSource(source, '_source') };
      await adapter.put(ref, document._id, document._source);
      return typed<T>(document);
    },

    async update(id: string, changes: Partial<T>) {
      const _id = readId(id);
      const patch = toSource(changes, 'changes');
      const _source = await adapter.modify(ref, _id, (current) => deepMerge(current, patch));
      if (_source === null) throw notFound(_id);
      return typed<T>({ _id, _source });
    },

    async delete(id: string) {
      return adapter.delete(ref, readId(id));
    },

    async search(body = {}, options = {}) {
      const { hits, total } = await adapter.search(ref, parseSearch(body, options, limits));
      return { hits: hits.map(typed<T>), total };
    },

    async count(body = {}, options = {}) {
      return adapter.count(ref, parseBodyFilter(body, options.lang));
    },

    async deleteByQuery(body, options = {}) {
      return adapter.deleteByQuery(ref, parseBodyFilter(body, options.lang));
    },
  };
  return Object.freeze(documents);
}

/** Sources are JSON; `T` is the caller's description of them, as with any JSON document store. */
function typed<T extends object>(document: StoredDocument): StoredDocument<T> {
  return document as unknown as StoredDocument<T>;
}

function readUniqueFields(spec: CollectionSpec): string[] {
  const expected = '{"unique"?: [<field path>, ...]}';
  if (!isPlainObject(spec) || Object.keys(spec).some((key) => key !== 'unique'))
    throw invalid('spec', expected);
  const unique: unknown = spec.unique ?? [];
  if (!Array.isArray(unique)) throw invalid('spec.unique', expected);
  const fields = unique.map((field: unknown) => {
    if (field === '_id') throw invalid('spec.unique', 'source fields (document ids are unique already)');
    return assertFieldPath(field);
  });
  return [...new Set(fields)].sort();
}

function readId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) throw invalid('_id', 'a non-empty string');
  return id;
}

/** A JSON copy of `value`: later changes to the caller's object never reach the store. */
function toSource(value: unknown, path: string): JsonObject {
  if (!isPlainObject(value)) throw invalid(path, 'a plain JSON object');
  const source: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    assertSafeKey(key, path);
    // Like JSON.stringify, drop members set to undefined.
    if (item !== undefined) source[key] = toJsonValue(item, `${path}.${key}`);
  }
  return source;
}

function toJsonValue(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value))
    return Array.from(value, (item: unknown, i) => toJsonValue(item, `${path}[${i}]`));
  if (isPlainObject(value)) return toSource(value, path);
  throw invalid(path, 'JSON values only: string, finite number, boolean, null, array or plain object');
}

/** Assigning these keys would reach Object.prototype; no document may carry them. */
function assertSafeKey(key: string, path: string): void {
  if (FORBIDDEN_KEYS.has(key))
    throw invalid(`${path}.${key}`, 'a key other than __proto__, constructor or prototype');
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return isPlainObject(value);
}

function invalid(argument: string, expected: string): TesseraError {
  return tesseraError('api.assert.invalid_argument', argument, expected);
}
