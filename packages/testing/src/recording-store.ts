/**
 * recordStoreWrites: a StoreAdapter that passes everything to another and keeps a note of every write (which
 * namespace and collection, which operation, the document written), for tests that check where a plugin
 * writes and what it stores.
 */
import type { CollectionRef, StoreAdapter } from '@tessera/store';
import type { JsonObject } from '@tessera/plugin-sdk';

export interface StoreWrite {
  readonly namespace: string;
  readonly collection: string;
  readonly operation:
    'ensureCollection' | 'create' | 'mCreate' | 'replace' | 'put' | 'delete' | 'mDelete' | 'deleteByQuery';
  /** The document as written (create, replace, put; mCreate notes each of its documents), when there is one. */
  readonly source?: JsonObject;
}

export function recordStoreWrites(adapter: StoreAdapter, writes: StoreWrite[] = []): StoreAdapter {
  const note = (ref: CollectionRef, operation: StoreWrite['operation'], source?: JsonObject) => {
    writes.push({ namespace: ref.namespace, collection: ref.collection, operation, source });
  };
  return {
    engine: adapter.engine,
    open: () => adapter.open(),
    close: () => adapter.close(),
    ping: () => adapter.ping(),
    collections: () => adapter.collections(),
    ensureCollection: (ref, schema) => {
      note(ref, 'ensureCollection');
      return adapter.ensureCollection(ref, schema);
    },
    get: (ref, id) => adapter.get(ref, id),
    mGet: (ref, ids) => adapter.mGet(ref, ids),
    search: (ref, query) => adapter.search(ref, query),
    count: (ref, filter) => adapter.count(ref, filter),
    create: (ref, id, source) => {
      note(ref, 'create', source);
      return adapter.create(ref, id, source);
    },
    mCreate: (ref, documents) => {
      for (const { source } of documents) note(ref, 'mCreate', source);
      return adapter.mCreate(ref, documents);
    },
    replace: (ref, id, source, condition) => {
      note(ref, 'replace', source);
      return adapter.replace(ref, id, source, condition);
    },
    put: (ref, id, source) => {
      note(ref, 'put', source);
      return adapter.put(ref, id, source);
    },
    delete: (ref, id, condition) => {
      note(ref, 'delete');
      return adapter.delete(ref, id, condition);
    },
    mDelete: (ref, ids) => {
      note(ref, 'mDelete');
      return adapter.mDelete(ref, ids);
    },
    deleteByQuery: (ref, filter) => {
      note(ref, 'deleteByQuery');
      return adapter.deleteByQuery(ref, filter);
    },
  };
}
