/**
 * The store fixture every conformance section uses: a fresh adapter per test (or per describe, for read-only
 * sections sharing a dataset), opened before and closed and cleaned up after, and helpers to assert errors.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import { createStorageNamespace, type SearchLimits, type StoreAdapter } from '@tessera/store';
import {
  isTesseraError,
  type CollectionSpec,
  type DocumentCollection,
  type ErrorId,
  type SearchResult,
  type StorageNamespace,
  type TesseraError,
} from '@tessera/plugin-sdk';

export interface StoreSetup {
  readonly makeAdapter: () => Promise<StoreAdapter> | StoreAdapter;
  readonly cleanup?: ((adapter: StoreAdapter) => Promise<void>) | undefined;
  /** For adapters that persist: a new adapter over the same data as `closed`, which has been closed. */
  readonly reopen?: ((closed: StoreAdapter) => Promise<StoreAdapter> | StoreAdapter) | undefined;
}

export interface StoreFixture {
  readonly adapter: StoreAdapter;
  /** A namespace over the fixture's adapter (`kernel` unless told otherwise). */
  storage(namespace?: string, limits?: SearchLimits): StorageNamespace;
  /** A collection of the `kernel` namespace. */
  collection(name?: string, spec?: CollectionSpec): Promise<DocumentCollection>;
  /** Closes the adapter and replaces it with `reopen`'s. */
  reopen(): Promise<void>;
}

/** Registers the hooks that give each test (`each`) or the whole describe (`all`) its own open adapter. */
export function useStore(setup: StoreSetup, scope: 'each' | 'all' = 'each'): () => StoreFixture {
  let adapter: StoreAdapter | undefined;
  const current = (): StoreAdapter => {
    if (adapter === undefined) throw new Error('The store fixture exists only while a test runs.');
    return adapter;
  };
  const fixture: StoreFixture = {
    get adapter() {
      return current();
    },
    storage: (namespace = 'kernel', limits) => createStorageNamespace(current(), namespace, limits),
    collection: (name = 'documents', spec) => fixture.storage().collection(name, spec),
    async reopen() {
      if (setup.reopen === undefined) throw new Error('This adapter has no reopen hook.');
      const closed = current();
      await closed.close();
      adapter = undefined;
      const reopened = await setup.reopen(closed);
      await reopened.open();
      adapter = reopened;
    },
  };

  (scope === 'each' ? beforeEach : beforeAll)(async () => {
    const made = await setup.makeAdapter();
    await made.open();
    adapter = made;
  });
  (scope === 'each' ? afterEach : afterAll)(async () => {
    if (adapter === undefined) return;
    const done = adapter;
    adapter = undefined;
    await done.close();
    await setup.cleanup?.(done);
  });
  return () => fixture;
}

/** Awaits `action` and checks that it failed with the catalog error `id`; returns that error. */
export async function expectError(
  action: Promise<unknown> | (() => unknown),
  id: ErrorId,
): Promise<TesseraError> {
  let outcome: unknown = 'no error';
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    outcome = error;
  }
  expect(isTesseraError(outcome) ? outcome.id : outcome).toBe(id);
  return outcome as TesseraError;
}

export function idsOf(result: SearchResult): string[] {
  return result.hits.map((hit) => hit._id);
}

/** Fails when anything reached Object.prototype. */
export function expectPrototypesUntouched(): void {
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
}
