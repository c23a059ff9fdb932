/**
 * Every document a query matches, page after page, for the scans a single search cannot answer (a search is
 * capped by the store's size limit). Pages follow a cursor on `_id` (search_after), so each page costs an index
 * seek however deep the scan goes, and no document is skipped or read twice when others are written meanwhile.
 */
import type { DocumentCollection, JsonObject, StoredDocument } from '@tessera/plugin-sdk';

const PAGE_SIZE = 1000;

export async function* scanDocuments<T extends object>(
  collection: DocumentCollection<T>,
  query: JsonObject = {},
  pageSize: number = PAGE_SIZE,
): AsyncGenerator<StoredDocument<T>> {
  let after: string | undefined;
  for (;;) {
    const body = after === undefined ? { query, sort: '_id' } : { query, sort: '_id', search_after: [after] };
    const page = await collection.find(body, { size: pageSize });
    yield* page;
    const last = page.at(-1);
    if (page.length < pageSize || last === undefined) return;
    after = last._id;
  }
}

/** scanDocuments, collected. */
export async function findAll<T extends object>(
  collection: DocumentCollection<T>,
  query: JsonObject = {},
): Promise<StoredDocument<T>[]> {
  const documents: StoredDocument<T>[] = [];
  for await (const document of scanDocuments(collection, query)) documents.push(document);
  return documents;
}
