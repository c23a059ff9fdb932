/**
 * Storage namespaces: the StorageNamespace a plugin (or the kernel) gets, built over any StoreAdapter. This is
 * where everything a caller hands to storage is checked (names, ids, document sources, query DSLs) before an
 * adapter sees it, so every engine receives the same validated input and answers with the same errors.
 */
import { randomUUID } from 'node:crypto';
import {
  isTesseraError,
  tesseraError,
  type CollectionSpec,
  type DocumentCollection,
  type JsonObject,
  type JsonValue,
  type NewStoredDocument,
  type StorageNamespace,
  type StoredDocument,
  type TesseraError,
  type VersionedDocument,
  type WriteCondition,
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
import type { CollectionRef, CollectionSchema, FieldPath, StoreAdapter } from './store-adapter';

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
  // Keyed by collection and schema: a later call declaring more fields must still get its indexes.
  const ensured = new Map<string, Promise<void>>();
  // Per collection, every field declared so far (by any call, any process): the ones held to scalars.
  const declared = new Map<string, Set<FieldPath>>();

  const declaredOf = (collection: string): Set<FieldPath> => {
    let fields = declared.get(collection);
    if (fields === undefined) {
      fields = new Set();
      declared.set(collection, fields);
    }
    return fields;
  };

  const ensure = (ref: CollectionRef, schema: CollectionSchema): Promise<void> => {
    const key = JSON.stringify([ref.collection, schema.unique, schema.indexed]);
    let ready = ensured.get(key);
    if (ready === undefined) {
      ready = adapter.ensureCollection(ref, schema).then((answer) => {
        const fields = declaredOf(ref.collection);
        for (const field of [...answer.unique, ...answer.indexed]) fields.add(field);
      });
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
      await ensure(ref, readSchema(spec));
      return createCollection<T>(adapter, ref, declaredOf(collection), limits);
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

/** How many times update re-reads a document that another write changed under it before giving up. */
const UPDATE_ATTEMPTS = 100;

function createCollection<T extends object>(
  adapter: StoreAdapter,
  ref: CollectionRef,
  declared: ReadonlySet<FieldPath>,
  limits: SearchLimits,
): DocumentCollection<T> {
  const notFound = (id: string) =>
    tesseraError('services.storage.not_found', id, ref.namespace, ref.collection);

  /** The checked JSON copy of a source the caller hands over. */
  const sourceOf = (value: unknown, path: string): JsonObject =>
    assertDeclaredScalars(toSource(value, path), declared, ref.collection);

  const replace = async (id: string, source: JsonObject, condition: WriteCondition) => {
    if ((await adapter.replace(ref, id, source, readCondition(condition))) === null) throw notFound(id);
  };

  const documents: DocumentCollection<T> = {
    name: ref.collection,

    async get(id: string) {
      const document = await adapter.get(ref, readId(id));
      return document === null ? null : unversioned<T>(document);
    },

    async getVersioned(id: string) {
      const document = await adapter.get(ref, readId(id));
      return document === null ? null : (document as unknown as VersionedDocument<T>);
    },

    async mGet(ids: readonly string[]) {
      if (!Array.isArray(ids)) throw invalid('ids', 'an array of document ids');
      return (await adapter.mGet(ref, ids.map(readId))).map(unversioned<T>);
    },

    async create(source: T, id?: string) {
      const document = {
        _id: id === undefined ? randomUUID() : readId(id),
        _source: sourceOf(source, '_source'),
      };
      await adapter.create(ref, document._id, document._source);
      return typed<T>(document);
    },

    async mCreate(documents: readonly NewStoredDocument<T>[]) {
      if (!Array.isArray(documents)) throw invalid('documents', 'an array of {_id?, _source}');
      const created = documents.map((document: unknown, i) => {
        if (!isPlainObject(document)) throw invalid(`documents[${i}]`, 'a {_id?, _source} object');
        const { _id: id } = document;
        return {
          _id: id === undefined ? randomUUID() : readId(id),
          _source: sourceOf(document._source, `documents[${i}]._source`),
        };
      });
      if (created.length > 0) {
        await adapter.mCreate(
          ref,
          created.map(({ _id, _source }) => ({ id: _id, source: _source })),
        );
      }
      return created.map((document) => typed<T>(document));
    },

    async replace(id: string, source: T, condition: WriteCondition = {}) {
      const document = { _id: readId(id), _source: sourceOf(source, '_source') };
      await replace(document._id, document._source, condition);
      return typed<T>(document);
    },

    async createOrReplace(id: string, source: T) {
      const document = { _id: readId(id), _source: sourceOf(source, '_source') };
      await adapter.put(ref, document._id, document._source);
      return typed<T>(document);
    },

    /** A compare-and-set loop: read, merge, write only if nothing was written meanwhile, else read again. */
    async update(id: string, changes: Partial<T>, condition: WriteCondition = {}) {
      const _id = readId(id);
      const patch = toSource(changes, 'changes');
      const { ifVersion } = readCondition(condition);
      for (let attempt = 1; ; attempt++) {
        const current = await adapter.get(ref, _id);
        if (current === null) throw notFound(_id);
        const version = ifVersion ?? current._version;
        const _source = assertDeclaredScalars(deepMerge(current._source, patch), declared, ref.collection);
        try {
          await replace(_id, _source, { ifVersion: version });
          return typed<T>({ _id, _source });
        } catch (error) {
          const retry = ifVersion === undefined && attempt < UPDATE_ATTEMPTS;
          if (!retry || !isTesseraError(error) || error.id !== 'services.storage.version_conflict')
            throw error;
        }
      }
    },

    async delete(id: string, condition: WriteCondition = {}) {
      return (await adapter.delete(ref, readId(id), readCondition(condition))) !== null;
    },

    async mDelete(ids: readonly string[]) {
      if (!Array.isArray(ids)) throw invalid('ids', 'an array of document ids');
      // Each id once: the adapter answers each deleted document once.
      const unique = [...new Set(ids.map(readId))];
      return unique.length === 0 ? [] : adapter.mDelete(ref, unique);
    },

    async search(body = {}, options = {}) {
      const { hits, total } = await adapter.search(ref, parseSearch(body, options, limits));
      return { hits: hits.map(unversioned<T>), total: total ?? hits.length };
    },

    async find(body = {}, options = {}) {
      const query = { ...parseSearch(body, options, limits), total: false };
      return (await adapter.search(ref, query)).hits.map(unversioned<T>);
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

/** The document without its version, for the reads that do not ask for it. */
function unversioned<T extends object>({ _id, _source }: VersionedDocument): StoredDocument<T> {
  return typed<T>({ _id, _source });
}

const SPEC_KEYS: ReadonlySet<string> = new Set(['unique', 'indexed']);

function readSchema(spec: CollectionSpec): CollectionSchema {
  const expected = '{"unique"?: [<field path>, ...], "indexed"?: [<field path>, ...]}';
  if (!isPlainObject(spec) || Object.keys(spec).some((key) => !SPEC_KEYS.has(key)))
    throw invalid('spec', expected);
  const fields = (name: 'unique' | 'indexed'): FieldPath[] => {
    const list: unknown = spec[name] ?? [];
    if (!Array.isArray(list)) throw invalid(`spec.${name}`, expected);
    const paths = list.map((field: unknown) => {
      if (field === '_id') throw invalid(`spec.${name}`, 'source fields (document ids are indexed already)');
      return assertFieldPath(field);
    });
    return [...new Set(paths)].sort();
  };
  return { unique: fields('unique'), indexed: fields('indexed') };
}

function readCondition(condition: unknown): WriteCondition {
  const expected = '{"ifVersion"?: <a version from getVersioned>}';
  if (!isPlainObject(condition) || Object.keys(condition).some((key) => key !== 'ifVersion')) {
    throw invalid('condition', expected);
  }
  const { ifVersion } = condition;
  if (ifVersion === undefined) return {};
  if (typeof ifVersion !== 'number' || !Number.isSafeInteger(ifVersion) || ifVersion < 1) {
    throw invalid('condition.ifVersion', 'a positive integer');
  }
  return { ifVersion };
}

/**
 * Returns `source` once every declared field in it holds a scalar or nothing: adapters index those fields by
 * their plain value. A path does not descend into arrays, as in queries.
 */
function assertDeclaredScalars(
  source: JsonObject,
  declared: ReadonlySet<FieldPath>,
  collection: string,
): JsonObject {
  for (const field of declared) {
    let value: JsonValue | undefined = source;
    for (const segment of field.split('.')) {
      value = isJsonObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
    }
    if (Array.isArray(value))
      throw tesseraError('services.storage.indexed_field_not_scalar', field, collection, 'an array');
    if (isJsonObject(value))
      throw tesseraError('services.storage.indexed_field_not_scalar', field, collection, 'an object');
  }
  return source;
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
