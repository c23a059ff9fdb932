/**
 * The Store conformance suite: every StoreAdapter runs it, through createStorageNamespace, so that adapter and
 * query parser together give the semantics `@tessera/plugin-sdk`'s storage API promises, whatever the engine.
 */
import { describe } from '@jest/globals';
import type { StoreAdapter } from '@tessera/store';
import { describeBulkWrites } from './internal/store-conformance/bulk-writes';
import { describeDocuments } from './internal/store-conformance/documents';
import { describeEngineEdges } from './internal/store-conformance/engine-edges';
import { describeNamespaces } from './internal/store-conformance/namespaces';
import { describePersistence } from './internal/store-conformance/persistence';
import { describePrototypePollution } from './internal/store-conformance/prototype-pollution';
import { describeQueries } from './internal/store-conformance/queries';
import { describeOrderAndCursors } from './internal/store-conformance/order-and-cursors';
import { describeQueryErrors } from './internal/store-conformance/query-errors';
import { describeQueryLimits } from './internal/store-conformance/query-limits';
import { describeSortAndPaging } from './internal/store-conformance/sort-and-paging';
import { describeUniqueFields } from './internal/store-conformance/unique-fields';
import { describeVersions } from './internal/store-conformance/versions';

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
    describeBulkWrites(setup);
    describeVersions(setup);
    describeUniqueFields(setup);
    describeNamespaces(setup);
    describeQueries(setup);
    describeSortAndPaging(setup);
    describeOrderAndCursors(setup);
    describeEngineEdges(setup);
    describeQueryErrors(setup);
    describeQueryLimits(setup);
    describePrototypePollution(setup);
    if (options.reopen !== undefined) describePersistence(setup);
  });
}
