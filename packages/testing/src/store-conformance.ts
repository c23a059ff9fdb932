/**
 * The Store conformance suite: every StoreAdapter runs it, through createStorageNamespace, so that adapter and
 * query parser together give the semantics `@tessera/plugin-sdk`'s storage API promises, whatever the engine.
 */
import { describe } from '@jest/globals';
import type { StoreAdapter } from '@tessera/store';
import { describeDocuments } from './internal/store-conformance/documents';
import { describeNamespaces } from './internal/store-conformance/namespaces';
import { describePersistence } from './internal/store-conformance/persistence';
import { describePrototypePollution } from './internal/store-conformance/prototype-pollution';
import { describeQueries } from './internal/store-conformance/queries';
import { describeQueryErrors } from './internal/store-conformance/query-errors';
import { describeSortAndPaging } from './internal/store-conformance/sort-and-paging';
import { describeUniqueFields } from './internal/store-conformance/unique-fields';

export interface StoreConformanceOptions {
  /**
   * For adapters that persist: a new, unopened adapter over the same data as `closed` (already closed). When
   * given, the suite also checks that documents and unique fields survive a restart.
   */
  readonly reopen?: (closed: StoreAdapter) => Promise<StoreAdapter> | StoreAdapter;
}

/**
 * Declares the suite. `makeAdapter` gives a new adapter over empty storage each time it is called (the suite
 * opens and closes it); `cleanup` runs after each one is closed.
 */
export function describeStoreConformance(
  name: string,
  makeAdapter: () => Promise<StoreAdapter> | StoreAdapter,
  cleanup?: (adapter: StoreAdapter) => Promise<void>,
  options: StoreConformanceOptions = {},
): void {
  const setup = { makeAdapter, cleanup, reopen: options.reopen };
  describe(`Store conformance: ${name}`, () => {
    describeDocuments(setup);
    describeUniqueFields(setup);
    describeNamespaces(setup);
    describeQueries(setup);
    describeSortAndPaging(setup);
    describeQueryErrors(setup);
    describePrototypePollution(setup);
    if (options.reopen !== undefined) describePersistence(setup);
  });
}
