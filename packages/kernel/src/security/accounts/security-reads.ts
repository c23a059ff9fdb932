/**
 * The reads every security repository answers the same way, straight from its collection (the user repository
 * overrides them for the built-in anonymous user).
 */
import type { JsonObject, SearchBody, SearchOptions, SearchResult } from '@tessera/plugin-sdk';
import type { SecurityDocument } from '../model';
import type { SecurityCollection, Stored } from './security-collection';

export abstract class SecurityReads<T extends JsonObject> {
  constructor(private readonly collection: SecurityCollection<T>) {}

  find(id: string): Promise<SecurityDocument<T> | null> {
    return this.collection.find(id);
  }

  /** The cached document, without reading the store: undefined if not cached (or the cache may not serve now). */
  peek(id: string): SecurityDocument<T> | undefined {
    return this.collection.peek(id);
  }

  /** The collection's not-found error (`security.<kind>.not_found`) when there is no such document. */
  get(id: string): Promise<SecurityDocument<T>> {
    return this.collection.get(id);
  }

  /** The documents found, in the order of `ids`; unknown ids are skipped. */
  mGet(ids: readonly string[]): Promise<SecurityDocument<T>[]> {
    return this.collection.mGet(ids);
  }

  search(body?: SearchBody, options?: SearchOptions): Promise<SearchResult<Stored<T>>> {
    return this.collection.search(body, options);
  }
}
