/**
 * Store scale: does a local login, and a request authenticated with an API key, cost the same in a store of
 * 100,000 users and 10,000 API keys as in a store holding only the bench's accounts? Each figure is measured on
 * two servers running side by side, on the same engine (SQLite, or PostgreSQL in schemas of a database of the
 * run's own), phases alternating: the loaded store against the near-empty one.
 *
 * The loaded store is a copy of the near-empty one (the same secret, accounts and key, so the same login and the
 * same API key work on both), plus the seeded documents. Seeding goes through the Store adapter, built from the
 * very `tessera_*` configuration the server reads, as `store:import` does: the API would spend hours in bcrypt.
 * Every seeded document is a clone of one the real path wrote in this run (the bench user's user document,
 * local credentials and audit events; its API key and that key's audit event), with only the identifiers
 * changed: the same collections, the same fields, the same bcrypt hash (a login verifies one user's hash, so
 * sharing it changes nothing), and a fingerprint that is the sha256 of a token, as a real key's. The seeded
 * documents are written once and kept (seeding.ts: a SQLite file in the cache folder; on PostgreSQL a database
 * `tessera_bench_cache_*` each run's loaded database is created from, as a template); each run imports its own
 * near-empty store into its copy.
 */
import autocannon from 'autocannon';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { JsonObject } from '@tessera/plugin-sdk';
import { importStore, type CollectionRef, type StoreAdapter } from '@tessera/store';
import { USER, http, login, loginsPerSecond, setUpAccounts } from '../client';
import { alternate, type Mode } from '../mode';
import { cachedDatabase, createBenchDatabase, type BenchDatabase } from '../postgres';
import { scratchDir, startServer, type Child } from '../processes';
import { figure, paired, type Figure, type Rounds } from '../report';
import {
  cachedSqliteStore,
  collectionsOnly,
  copyWithImport,
  createMany,
  exported,
  single,
  sqliteSettings,
  withAdapter,
  type Exported,
} from '../seeding';
import { round } from '../stats';

type Engine = 'sqlite' | 'postgres';

const HTTP_CONNECTIONS = 32;

const USERS: CollectionRef = { namespace: 'kernel', collection: 'users' };
const API_KEYS: CollectionRef = { namespace: 'kernel', collection: 'api-keys' };
const AUDIT: CollectionRef = { namespace: 'kernel', collection: 'audit_events' };
const CREDENTIALS: CollectionRef = { namespace: 'plugin:auth-local', collection: 'credentials' };

/**
 * Users and API keys in the loaded store (the bench's own accounts and key included), and the seconds of each
 * phase (a login phase is a number of logins rather: a few dozen a second, fewer on a loaded machine, would
 * leave a short phase with a handful). `--quick` keeps the figures with a smaller store and shorter phases, as
 * a check that nothing scans, not as the figure: the run stays short, and a scan shows far more at full size.
 */
function sizeOf(mode: Mode) {
  return mode.quick
    ? { ...storeScaleOf(mode), loginsPerPhase: 16, phaseSeconds: 0.5, warmupSeconds: 0.5 }
    : { ...storeScaleOf(mode), loginsPerPhase: 32, phaseSeconds: 1.5, warmupSeconds: mode.warmupSeconds };
}

/** Users and API keys in the loaded store (the bench's own accounts and key included). */
export function storeScaleOf(mode: Mode): { users: number; apiKeys: number } {
  return mode.quick ? { users: 2_000, apiKeys: 200 } : { users: 100_000, apiKeys: 10_000 };
}

/**
 * A SQLite store such as this figure's loaded one (`storeScaleOf(mode)` users and API keys), for another figure
 * that needs a store of a deployment's size: the accounts and the API key the seeding clones are made through the
 * API on a near-empty store (served with `config`, then stopped), which is then imported into a copy of the
 * cached seeded documents. Shares this figure's cache.
 */
export async function loadedSqliteStore(
  mode: Mode,
  config: Readonly<Record<string, string>>,
): Promise<{ settings: Record<string, string>; seededInSeconds: number | null }> {
  const stores = sqliteStores();
  const one = await startServer({ config: { ...config, ...stores.one } });
  try {
    await setUpTemplates(one.url);
  } finally {
    await one.stop();
  }
  return loadStore(stores, storeScaleOf(mode));
}

/**
 * What the seeded documents are cloned from, made through the API on a near-empty store: the admin, the bench
 * user, and an API key of the bench user's. Returns the key's token.
 */
async function setUpTemplates(url: string): Promise<string> {
  await setUpAccounts(url);
  const userJwt = (await login(url, USER)).jwt;
  const apiKey = await http<{ _source: { token: string } }>(url, 'POST', '/api-keys/_create', {
    jwt: userJwt,
    body: { description: 'bench' },
  });
  return apiKey._source.token;
}

interface Stores {
  /** `tessera_*` storage settings of the near-empty store. */
  readonly one: Record<string, string>;
  /**
   * Makes the loaded store: a copy of the cached seeded documents (written by `seed`, on a store holding the
   * collections of `lines`, when there are none yet) with the documents of `lines`, the near-empty store, imported
   * into it. Returns its settings, and how long the seeding took (null: cached).
   */
  load(
    lines: readonly string[],
    cacheName: string,
    seed: (adapter: StoreAdapter) => Promise<void>,
  ): Promise<{ settings: Record<string, string>; seededInSeconds: number | null }>;
  /**
   * Sequential and index scans of each table since the database was created, once the servers have stopped:
   * a request that scans a table shows here as thousands of sequential scans. Null where the engine keeps no
   * such counters (SQLite).
   */
  scans(): Promise<Record<string, { seq: number; index: number }> | null>;
  drop(): Promise<void>;
}

export const storeScaleSqliteFigures = (mode: Mode) => storeScaleFigures('sqlite', mode);
export const storeScalePostgresFigures = (mode: Mode) => storeScaleFigures('postgres', mode);

async function storeScaleFigures(engine: Engine, mode: Mode): Promise<Figure[]> {
  const size = sizeOf(mode);
  const scale = { users: size.users, apiKeys: size.apiKeys };
  const stores = engine === 'sqlite' ? sqliteStores() : await postgresStores();
  const throttleOff = { security__login__attemptsPerAddress: '0', security__login__attemptsPerUsername: '0' };
  const children: Child[] = [];
  try {
    const one = await startServer({ config: { ...stores.one, ...throttleOff } });
    children.push(one);
    const apiKey = await setUpTemplates(one.url);

    const loadStarted = performance.now();
    const loadedStore = await loadStore(stores, scale);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const loaded = await startServer({ config: { ...loadedStore.settings, ...throttleOff } });
    children.push(loaded);

    const concurrency = 2 * mode.cores;
    const logins = (url: string, amount: number) => loginsPerSecond(url, concurrency, amount);
    await logins(loaded.url, concurrency);
    await logins(one.url, concurrency);
    const loginRuns = await alternate(
      mode,
      () => logins(loaded.url, size.loginsPerPhase),
      () => logins(one.url, size.loginsPerPhase),
    );

    const auth = { authorization: `Bearer ${apiKey}` };
    const requests = (url: string, seconds: number) => requestsPerSecond(url, auth, seconds);
    await requests(loaded.url, size.warmupSeconds);
    await requests(one.url, size.warmupSeconds);
    const keyRuns = await alternate(
      mode,
      () => requests(loaded.url, size.phaseSeconds),
      () => requests(one.url, size.phaseSeconds),
    );

    // Stopped before the counters are read: a server's connections hand in their statistics as they close.
    await Promise.all(children.map((child) => child.stop()));
    const tableScans = await stores.scans();
    const engineName = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const quickNote = mode.quick ? ' (--quick: smaller store)' : '';
    const setup = {
      engine,
      ...scale,
      seedSeconds: loadedStore.seededInSeconds,
      loadSeconds: Math.round(loadSeconds),
      rounds: mode.rounds,
      ...(tableScans === null ? {} : { tableScans }),
    };
    return [
      figure({
        id: `scale.${engine}.login`,
        label: `Login, local, ${scale.users.toLocaleString('en')} users, ${engineName}${quickNote}`,
        unit: 'logins/s',
        ...paired(loginRuns),
        baselineLabel: `2 users (admin and bench user), ${engineName}`,
        goal: { on: 'ratio', op: '>=', limit: 0.9 },
        details: {
          ...setup,
          concurrency,
          loginsPerPhase: size.loginsPerPhase,
          ...perRound(loginRuns),
        },
      }),
      figure({
        id: `scale.${engine}.api-key`,
        label: `server:now, HTTP, API key among ${scale.apiKeys.toLocaleString('en')}, ${engineName}${quickNote}`,
        unit: 'req/s',
        ...paired(keyRuns),
        baselineLabel: `1 API key, ${engineName}`,
        goal: { on: 'ratio', op: '>=', limit: 0.9 },
        details: {
          ...setup,
          connections: HTTP_CONNECTIONS,
          phaseSeconds: size.phaseSeconds,
          ...perRound(keyRuns),
        },
      }),
    ];
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await stores.drop();
  }
}

/** Each round's results, as the JSON keeps them (their ratios are the figure's `roundRatios`). */
function perRound(runs: Rounds): Record<string, unknown> {
  return {
    loaded: runs.tessera.map((value) => round(value)),
    baseline: runs.baseline.map((value) => round(value)),
  };
}

async function requestsPerSecond(
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<number> {
  const result = await autocannon({
    url: `${url}/_now`,
    headers,
    connections: HTTP_CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`GET /_now with an API key: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result['2xx'] / (result.duration || seconds);
}

/** Two files in a scratch folder; the loaded one a copy of the cached seeded file. */
function sqliteStores(): Stores {
  const dir = scratchDir('store-scale');
  return {
    one: sqliteSettings(join(dir, 'one.db')),
    async load(lines, cacheName, seed) {
      const cache = await cachedSqliteStore(cacheName, { lines }, seed);
      const path = join(dir, 'loaded.db');
      await copyWithImport(cache.path, path, lines);
      return { settings: sqliteSettings(path), seededInSeconds: cache.builtInSeconds };
    },
    scans: () => Promise.resolve(null),
    drop: () => Promise.resolve(),
  };
}

/**
 * Two fresh databases, dropped by `drop()`: the near-empty store in schema `one` of the first; the loaded store
 * in schema `loaded` of the second, created from the cached database as a template.
 */
async function postgresStores(): Promise<Stores> {
  const databases: BenchDatabase[] = [await createBenchDatabase()];
  const settings = (url: string, schema: string) => ({
    storage__engine: 'postgres',
    storage__postgres__url: url,
    storage__postgres__schema: schema,
  });
  return {
    one: settings(databases[0]!.url, 'one'),
    async load(lines, cacheName, seed) {
      const cache = await cachedDatabase(cacheName, async (url) => {
        // The seeding session commits without waiting for the disk (synchronous_commit is per session).
        const seeding = new URL(url);
        seeding.searchParams.set('options', '-c synchronous_commit=off');
        await withAdapter(settings(seeding.toString(), 'loaded'), async (adapter) => {
          await importStore(adapter, collectionsOnly(lines));
          await seed(adapter);
        });
      });
      const database = await createBenchDatabase({ template: cache.name });
      databases.push(database);
      const loaded = settings(database.url, 'loaded');
      await withAdapter(loaded, (adapter) => importStore(adapter, lines));
      return { settings: loaded, seededInSeconds: cache.builtInSeconds };
    },
    async scans() {
      const scans: Record<string, { seq: number; index: number }> = {};
      for (const database of databases) {
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ table: string; seq: string; index: string | null }>(
            `SELECT schemaname || '.' || relname AS table, seq_scan AS seq, idx_scan AS index
               FROM pg_stat_user_tables WHERE schemaname IN ('one', 'loaded') ORDER BY 1`,
          );
          for (const row of rows) scans[row.table] = { seq: Number(row.seq), index: Number(row.index ?? 0) };
        } finally {
          await client.end();
        }
      }
      return scans;
    },
    async drop() {
      await Promise.all(databases.map((database) => database.drop()));
    },
  };
}

/**
 * The loaded store: the near-empty one's documents (the same secret, accounts and key), plus clones up to
 * `scale.users` users and `scale.apiKeys` API keys; checked by counting them.
 */
async function loadStore(
  stores: Stores,
  scale: { users: number; apiKeys: number },
): Promise<{ settings: Record<string, string>; seededInSeconds: number | null }> {
  const store = await withAdapter(stores.one, exported);
  const loaded = await stores.load(store.lines, `scale-${scale.users}-${scale.apiKeys}`, (adapter) =>
    seedClones(adapter, store, scale),
  );
  await withAdapter(loaded.settings, async (adapter) => {
    const users = await adapter.count(USERS, { kind: 'all' });
    const keys = await adapter.count(API_KEYS, { kind: 'all' });
    if (users !== scale.users || keys !== scale.apiKeys) {
      throw new Error(
        `the loaded store holds ${users} users and ${keys} API keys, not ${scale.users} and ${scale.apiKeys}`,
      );
    }
  });
  return loaded;
}

/**
 * Writes the clones of the near-empty store's documents (`store`) that bring it to `scale.users` users and
 * `scale.apiKeys` API keys once its own are imported.
 */
async function seedClones(
  target: StoreAdapter,
  store: Exported,
  scale: { users: number; apiKeys: number },
): Promise<void> {
  const of = (ref: CollectionRef) => store.documents.get(`${ref.namespace}/${ref.collection}`) ?? [];
  const template = {
    user: single(
      of(USERS).filter((doc) => doc._id === USER.kuid),
      'user',
    ),
    credentials: single(
      of(CREDENTIALS).filter((doc) => doc._source['kuid'] === USER.kuid),
      'credentials',
    ),
    audit: of(AUDIT).filter(
      (doc) =>
        doc._source['kuid'] === USER.kuid &&
        (doc._source['event'] === 'user:created' || doc._source['event'] === 'credentials:created'),
    ),
    apiKey: single(of(API_KEYS), 'API key'),
    apiKeyAudit: single(
      of(AUDIT).filter((doc) => doc._source['event'] === 'apiKey:created'),
      'apiKey:created event',
    ),
  };
  if (template.audit.length !== 2) throw new Error('the bench user has no creation events to clone');
  const existingUsers = of(USERS).length;
  const seededUsers = scale.users - existingUsers;
  const kuidOf = (i: number) => `bench-seed-${i}`;
  await createMany(target, USERS, seededUsers, (i) => ({ id: kuidOf(i), source: template.user._source }));
  await createMany(target, CREDENTIALS, seededUsers, (i) => ({
    id: randomUUID(),
    source: { ...template.credentials._source, username: kuidOf(i), kuid: kuidOf(i) },
  }));
  const events = template.audit.length;
  await createMany(target, AUDIT, seededUsers * events, (i) => ({
    id: randomUUID(),
    source: { ...template.audit[i % events]!._source, kuid: kuidOf(Math.floor(i / events)) },
  }));
  const keys = Array.from({ length: scale.apiKeys - 1 }, (_, i) => ({
    id: randomUUID(),
    owner: kuidOf(i % seededUsers),
  }));
  await createMany(target, API_KEYS, keys.length, (i) => {
    const { id, owner } = keys[i]!;
    const fingerprint = createHash('sha256')
      .update(`kapikey-${randomBytes(32).toString('base64url')}`)
      .digest('hex');
    return {
      id,
      source: {
        ...template.apiKey._source,
        userId: owner,
        fingerprint,
        _kuzzle_info: {
          ...(template.apiKey._source['_kuzzle_info'] as JsonObject),
          author: owner,
          creator: owner,
        },
      },
    };
  });
  await createMany(target, AUDIT, keys.length, (i) => {
    const { id, owner } = keys[i]!;
    return {
      id: randomUUID(),
      source: { ...template.apiKeyAudit._source, kuid: owner, author: owner, target: id },
    };
  });
}
