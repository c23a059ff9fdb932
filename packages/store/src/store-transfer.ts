/**
 * exportStore / importStore: a whole store as JSON lines, to move a deployment from one engine to another
 * (`tessera store:export`, `store:import`). Engine-neutral: they use the Store port only.
 *
 * The format, one JSON object a line: a header `{"format":"tessera-store","version":1}`, then for each collection
 * a line `{"namespace","collection","unique","indexed"}` followed by one line per document of it,
 * `{"_id","_source"}`, in creation order, so the imported store keeps the order unsorted searches answer.
 * Documents start again at version 1 (versions order writes within one store, they are not data).
 */
import { tesseraError, type JsonObject } from '@tessera/plugin-sdk';
import { isPlainObject } from './is-plain-object';
import { validateNamespace } from './storage-namespace';
import type { CollectionRef, StoreAdapter } from './store-adapter';

export const STORE_EXPORT_FORMAT = { format: 'tessera-store', version: 1 } as const;

const PAGE_SIZE = 1000;
const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const NOTHING_NEW = { unique: [], indexed: [] };

export interface TransferCounts {
  readonly collections: number;
  readonly documents: number;
}

/** Writes every collection and document of `adapter` as lines (each without its newline) to `write`. */
export async function exportStore(
  adapter: StoreAdapter,
  write: (line: string) => void | Promise<void>,
): Promise<TransferCounts> {
  await write(JSON.stringify(STORE_EXPORT_FORMAT));
  const refs = (await adapter.collections()).sort(
    (a, b) => compare(a.namespace, b.namespace) || compare(a.collection, b.collection),
  );
  let documents = 0;
  for (const ref of refs) {
    const { unique, indexed } = await adapter.ensureCollection(ref, NOTHING_NEW);
    await write(JSON.stringify({ namespace: ref.namespace, collection: ref.collection, unique, indexed }));
    // Creation order (an empty sort), page by page: the export is meant for a store nobody writes to meanwhile.
    for (let from = 0; ; from += PAGE_SIZE) {
      const { hits } = await adapter.search(ref, {
        filter: { kind: 'all' },
        sort: [],
        from,
        size: PAGE_SIZE,
        total: false,
      });
      for (const hit of hits) await write(JSON.stringify({ _id: hit._id, _source: hit._source }));
      documents += hits.length;
      if (hits.length < PAGE_SIZE) break;
    }
  }
  return { collections: refs.length, documents };
}

/**
 * Reads lines written by exportStore into `adapter`: declares each collection's fields, then writes each document
 * under its id (replacing one already there, so an import may be run again). A malformed line stops the import
 * with `services.storage.invalid_import_line`, naming its number; what came before it stays written.
 */
export async function importStore(
  adapter: StoreAdapter,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<TransferCounts> {
  let number = 0;
  let header = false;
  let current: CollectionRef | undefined;
  let collections = 0;
  let documents = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    const line = parseLine(text, number);
    if (!header) {
      if (line['format'] !== STORE_EXPORT_FORMAT.format || line['version'] !== STORE_EXPORT_FORMAT.version) {
        throw invalid(
          number,
          `not a ${STORE_EXPORT_FORMAT.format} version ${STORE_EXPORT_FORMAT.version} header`,
        );
      }
      header = true;
    } else if ('_id' in line) {
      const { _id: id, _source: source } = line;
      if (current === undefined) throw invalid(number, 'a document before any collection');
      if (typeof id !== 'string' || id === '') throw invalid(number, '"_id" is not a non-empty string');
      if (!isPlainObject(source)) throw invalid(number, '"_source" is not an object');
      await adapter.put(current, id, source as JsonObject);
      documents += 1;
    } else {
      current = collectionOf(line, number);
      await adapter.ensureCollection(current, {
        unique: fieldsOf(line, 'unique', number),
        indexed: fieldsOf(line, 'indexed', number),
      });
      collections += 1;
    }
  }
  if (!header) throw invalid(number, 'no header: the input is empty');
  return { collections, documents };
}

function parseLine(text: string, number: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(number, 'not JSON');
  }
  if (!isPlainObject(parsed)) throw invalid(number, 'not a JSON object');
  return parsed;
}

function collectionOf(line: Record<string, unknown>, number: number): CollectionRef {
  const { namespace, collection } = line;
  try {
    validateNamespace(namespace);
  } catch {
    throw invalid(number, `"${String(namespace)}" is not a namespace`);
  }
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection)) {
    throw invalid(number, `"${String(collection)}" is not a collection name`);
  }
  return { namespace: namespace as string, collection };
}

function fieldsOf(line: Record<string, unknown>, key: 'unique' | 'indexed', number: number): string[] {
  const fields = line[key] ?? [];
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
    throw invalid(number, `"${key}" is not a list of field names`);
  }
  return fields;
}

function invalid(number: number, why: string) {
  return tesseraError('services.storage.invalid_import_line', String(number), why);
}

/** Code-point order, as the store compares strings. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
