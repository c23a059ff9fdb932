/**
 * Seeding a store the way the server would have written it, without going through the API (which would spend
 * hours in bcrypt, or in HTTP round trips): the Store adapter is built from the very `tessera_*` settings the
 * server reads, and every seeded document is a clone of one the real path wrote in the same run, with only its
 * identifiers changed. The groups that need a big store (store-scale, expiry) share these helpers.
 *
 * Writing hundreds of thousands of documents takes minutes; copying them takes seconds. So a group's seeded
 * documents are written once into a store of their own, kept in CACHE_DIR, and each run copies that store and
 * imports its own near-empty store (accounts, secret, the documents it cloned) into the copy, as
 * `store:import` does: the copy then holds the run's accounts plus the seeded documents.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KERNEL_VERSION, loadConfig } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { createStore } from '@tessera/server';
import {
  exportStore,
  importStore,
  type CollectionRef,
  type NewDocument,
  type StoreAdapter,
} from '@tessera/store';
import { scratchDir } from './processes';

/** A folder in memory (/dev/shm) where the machine has one, else the system's temp folder. */
export const MEMORY_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * Where stores that are slow to build are kept between runs (delete it to rebuild them). In memory: this machine
 * keeps under 1 GB of files in its page cache, so from disk each run read the expiry figure's half-gigabyte store
 * again, at whatever speed the host's disk had that minute (the figure took 21 to 40 s from run to run).
 */
export const CACHE_DIR = join(MEMORY_DIR, 'tessera-bench-cache');

/** Documents per write while seeding: each batch is one mCreate, one transaction on SQLite and PostgreSQL. */
const SEED_BATCH = 1000;

/** The Store adapter the server would build from these `tessera_*` settings (without the prefix). */
export function adapterFor(settings: Readonly<Record<string, string>>): Promise<StoreAdapter> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(settings)) env[`tessera_${key}`] = value;
  return createStore(loadConfig({ cwd: scratchDir('config'), env }).storage);
}

/** Opens the adapter of these settings, runs `work` with it, and closes it (SQLite: checkpoints the log). */
export async function withAdapter<T>(
  settings: Readonly<Record<string, string>>,
  work: (adapter: StoreAdapter) => Promise<T>,
): Promise<T> {
  const adapter = await adapterFor(settings);
  await adapter.open();
  try {
    return await work(adapter);
  } finally {
    await adapter.close();
  }
}

/** Creates the `count` documents `make(0..count-1)` in `ref`, SEED_BATCH at a time. */
export async function createMany(
  adapter: StoreAdapter,
  ref: CollectionRef,
  count: number,
  make: (i: number) => NewDocument,
): Promise<void> {
  for (let from = 0; from < count; from += SEED_BATCH) {
    const size = Math.min(SEED_BATCH, count - from);
    await adapter.mCreate(
      ref,
      Array.from({ length: size }, (_, k) => make(from + k)),
    );
  }
}

export interface Exported {
  /** The store as `store:export` writes it, for `importStore`. */
  readonly lines: string[];
  /** Documents by collection (`namespace/collection`). */
  readonly documents: Map<string, { _id: string; _source: JsonObject }[]>;
}

export async function exported(adapter: StoreAdapter): Promise<Exported> {
  const lines: string[] = [];
  const documents = new Map<string, { _id: string; _source: JsonObject }[]>();
  let current: { _id: string; _source: JsonObject }[] = [];
  await exportStore(adapter, (line) => {
    lines.push(line);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if ('_id' in parsed) current.push(parsed as { _id: string; _source: JsonObject });
    else if ('collection' in parsed) {
      current = [];
      documents.set(`${String(parsed['namespace'])}/${String(parsed['collection'])}`, current);
    }
  });
  return { lines, documents };
}

/** The one element of `list`; throws, naming `what`, when there are none or several. */
export function single<T>(list: readonly T[], what: string): T {
  if (list.length !== 1) throw new Error(`expected one ${what} in the store, found ${list.length}`);
  return list[0]!;
}

/** The `tessera_*` storage settings of a SQLite file. */
export function sqliteSettings(path: string): Record<string, string> {
  return { storage__engine: 'sqlite', storage__sqlite__path: path };
}

/** The header and collection lines of an export, without documents: the collections, their fields declared. */
export function collectionsOnly(lines: readonly string[]): string[] {
  return lines.filter((line) => !line.startsWith('{"_id"'));
}

/**
 * The SQLite store `<name>-kernel-<version>.db` of CACHE_DIR, built by `build` (on a store holding the
 * collections of `lines`, no document) when it is missing or older than `maxAgeMs`. Built in memory (/dev/shm)
 * where there is some, as SQLite syncs every commit, then moved in; null seconds when it was there already.
 */
export async function cachedSqliteStore(
  name: string,
  options: { lines: readonly string[]; maxAgeMs?: number },
  build: (adapter: StoreAdapter) => Promise<void>,
): Promise<{ path: string; builtInSeconds: number | null }> {
  const path = join(CACHE_DIR, `${name}-kernel-${KERNEL_VERSION}.db`);
  const maxAgeMs = options.maxAgeMs ?? Infinity;
  if (existsSync(path) && Date.now() - statSync(path).mtimeMs < maxAgeMs) {
    return { path, builtInSeconds: null };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const started = performance.now();
  const dir = scratchDir('seeding', MEMORY_DIR);
  const building = join(dir, 'store.db');
  await withAdapter(sqliteSettings(building), async (adapter) => {
    await importStore(adapter, collectionsOnly(options.lines));
    await build(adapter);
  });
  // Closing the adapter checkpointed the write-ahead log into the file: the file is the whole store.
  copyFileSync(building, `${path}.building`);
  renameSync(`${path}.building`, path);
  // At once, not when the bench exits: in /dev/shm it holds memory (half a gigabyte for the expiry figure).
  rmSync(dir, { recursive: true, force: true });
  return { path, builtInSeconds: Math.round((performance.now() - started) / 1000) };
}

/** A copy of the cached store at `path`, with the documents of `lines` (a run's own store) imported into it. */
export async function copyWithImport(cached: string, path: string, lines: readonly string[]): Promise<void> {
  copyFileSync(cached, path);
  await withAdapter(sqliteSettings(path), (adapter) => importStore(adapter, lines));
}
