/** Reads every document a query matches, page by page (a single search is capped by the store's limits). */
import type { DocumentCollection, JsonObject, StoredDocument } from '@tessera/plugin-sdk';

const PAGE_SIZE = 1000;

export async function searchAll<T extends object>(
  collection: DocumentCollection<T>,
  query: JsonObject,
): Promise<StoredDocument<T>[]> {
  const documents: StoredDocument<T>[] = [];
  for (;;) {
    const page = await collection.search({ query }, { from: documents.length, size: PAGE_SIZE });
    documents.push(...page.hits);
    if (page.hits.length < PAGE_SIZE || documents.length >= page.total) return documents;
  }
}
