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
 * sharing it changes nothing), and a fingerprint that is the sha256 of a token, as a real key's.
 */
import autocannon from 'autocannon';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { createStore } from '@tessera/server';
import { exportStore, importStore, type CollectionRef, type StoreAdapter } from '@tessera/store';
import { USER, forEachLimited, http, setUpAccounts } from '../client';
import type { Mode } from '../mode';
import { createBenchDatabase } from '../postgres';
import { scratchDir, startServer, type Child } from '../processes';
import { figure, type Figure } from '../report';
import { median, round } from '../stats';

type Engine = 'sqlite' | 'postgres';

const HTTP_CONNECTIONS = 32;
/** Writes in flight while seeding: PostgreSQL's pool serves them side by side; SQLite takes them one by one. */
const SEED_CONCURRENCY = 16;

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
    ? { users: 2_000, apiKeys: 200, loginsPerPhase: 16, phaseSeconds: 1, warmupSeconds: 0.5 }
    : {
        users: 100_000,
        apiKeys: 10_000,
        loginsPerPhase: 64,
        phaseSeconds: 2,
        warmupSeconds: mode.warmupSeconds,
      };
}

interface Stores {
  /** `tessera_*` storage settings of the near-empty store and of the loaded one. */
  readonly one: Record<string, string>;
  readonly loaded: Record<string, string>;
  /**
   * Where the loaded store is written while seeding, then `seeded()` makes it the loaded store. Only how durably
   * each write is committed differs (a file in memory, an asynchronous commit): what is written does not.
   */
  readonly seeding: Record<string, string>;
  seeded(): void;
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
    await setUpAccounts(one.url);
    const userJwt = (await login(one.url)).jwt;
    const apiKey = await http<{ _source: { token: string } }>(one.url, 'POST', '/api-keys/_create', {
      jwt: userJwt,
      body: { description: 'bench' },
    });

    const seedStarted = performance.now();
    await copyAndSeed(stores.one, stores.seeding, scale);
    stores.seeded();
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const loaded = await startServer({ config: { ...stores.loaded, ...throttleOff } });
    children.push(loaded);

    const concurrency = 2 * mode.cores;
    const logins = (url: string, amount: number) => loginsPerSecond(url, concurrency, amount);
    await logins(loaded.url, concurrency);
    await logins(one.url, concurrency);
    const loginRuns = await alternateBothWays(
      mode,
      () => logins(loaded.url, size.loginsPerPhase),
      () => logins(one.url, size.loginsPerPhase),
    );

    const auth = { authorization: `Bearer ${apiKey._source.token}` };
    const requests = (url: string, seconds: number) => requestsPerSecond(url, auth, seconds);
    await requests(loaded.url, size.warmupSeconds);
    await requests(one.url, size.warmupSeconds);
    const keyRuns = await alternateBothWays(
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
      seedSeconds: Math.round(seedSeconds),
      rounds: mode.rounds,
      ...(tableScans === null ? {} : { tableScans }),
    };
    return [
      figure({
        id: `scale.${engine}.login`,
        label: `Login, local, ${scale.users.toLocaleString('en')} users, ${engineName}${quickNote}`,
        unit: 'logins/s',
        value: median(loginRuns.tessera),
        baseline: median(loginRuns.baseline),
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
        value: median(keyRuns.tessera),
        baseline: median(keyRuns.baseline),
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

/**
 * As mode's `alternate`, but the loaded side goes first in even rounds and second in odd ones: when the load of
 * a shared machine drifts during the run (it did, by a factor of 5 over one figure), always measuring the same
 * side first hands the other the better half of every round.
 */
async function alternateBothWays(
  mode: Mode,
  loaded: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ tessera: number[]; baseline: number[] }> {
  const results = { tessera: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < mode.rounds; round++) {
    if (round % 2 === 0) {
      results.tessera.push(await loaded());
      results.baseline.push(await baseline());
    } else {
      results.baseline.push(await baseline());
      results.tessera.push(await loaded());
    }
  }
  return results;
}

/**
 * Each round's figures, and the ratio within each round: the load of a shared machine drifts between rounds more
 * than between the two halves of one, so the median of these ratios is the steadier reading.
 */
function perRound(runs: { tessera: number[]; baseline: number[] }): Record<string, unknown> {
  const ratios = runs.tessera.map((value, i) => value / runs.baseline[i]!);
  return {
    loaded: runs.tessera.map((value) => round(value)),
    baseline: runs.baseline.map((value) => round(value)),
    roundRatios: ratios.map((ratio) => round(ratio)),
    medianRoundRatio: round(median(ratios)),
  };
}

function login(url: string): Promise<{ jwt: string }> {
  return http(url, 'POST', '/_login/local', {
    body: { username: USER.username, password: USER.password },
  });
}

/** `amount` logins, `connections` at a time, per second. */
async function loginsPerSecond(url: string, connections: number, amount: number): Promise<number> {
  const result = await autocannon({
    url: `${url}/_login/local`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USER.username, password: USER.password }),
    connections,
    amount,
  });
  if (result.non2xx > 0 || result.errors > 0 || result['2xx'] !== amount) {
    throw new Error(`login: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return amount / result.duration;
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

/**
 * Two files in a scratch folder. The loaded one is seeded in memory (`/dev/shm`, where there is one: SQLite
 * syncs every commit to disk, and the seeding commits hundreds of thousands), then copied beside the other.
 */
function sqliteStores(): Stores {
  const dir = scratchDir('store-scale');
  const memory = existsSync('/dev/shm') ? scratchDir('store-scale-seeding', '/dev/shm') : dir;
  const seedingPath = join(memory, 'seeding.db');
  const loadedPath = join(dir, 'loaded.db');
  return {
    one: { storage__engine: 'sqlite', storage__sqlite__path: join(dir, 'one.db') },
    loaded: { storage__engine: 'sqlite', storage__sqlite__path: loadedPath },
    seeding: { storage__engine: 'sqlite', storage__sqlite__path: seedingPath },
    // Closing the adapter checkpointed the write-ahead log into the file: the file is the whole store.
    seeded: () => copyFileSync(seedingPath, loadedPath),
    scans: () => Promise.resolve(null),
    drop: () => Promise.resolve(),
  };
}

/** A fresh database with one schema per store, dropped by `drop()`. */
async function postgresStores(): Promise<Stores> {
  const database = await createBenchDatabase();
  const url = new URL(database.url);
  const settings = (schema: string) => ({
    storage__engine: 'postgres',
    storage__postgres__url: url.toString(),
    storage__postgres__schema: schema,
  });
  // The seeding session commits without waiting for the disk (synchronous_commit is per session).
  const seeding = new URL(url);
  seeding.searchParams.set('options', '-c synchronous_commit=off');
  return {
    one: settings('one'),
    loaded: settings('loaded'),
    seeding: { ...settings('loaded'), storage__postgres__url: seeding.toString() },
    seeded: () => undefined,
    async scans() {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query<{ table: string; seq: string; index: string | null }>(
          `SELECT schemaname || '.' || relname AS table, seq_scan AS seq, idx_scan AS index
             FROM pg_stat_user_tables WHERE schemaname IN ('one', 'loaded') ORDER BY 1`,
        );
        return Object.fromEntries(
          rows.map((row) => [row.table, { seq: Number(row.seq), index: Number(row.index ?? 0) }]),
        );
      } finally {
        await client.end();
      }
    },
    drop: () => database.drop(),
  };
}

/** The Store adapter the server would build from these `tessera_*` settings. */
function adapterFor(settings: Record<string, string>): StoreAdapter {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(settings)) env[`tessera_${key}`] = value;
  return createStore(loadConfig({ cwd: scratchDir('config'), env }).storage);
}

interface Exported {
  readonly lines: string[];
  /** Documents by collection (`namespace/collection`). */
  readonly documents: Map<string, { _id: string; _source: JsonObject }[]>;
}

async function exported(adapter: StoreAdapter): Promise<Exported> {
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

/**
 * Copies the near-empty store into the loaded one (import, as `store:import` does), then adds the clones: the
 * loaded store ends up with `scale.users` users and `scale.apiKeys` API keys.
 */
async function copyAndSeed(
  from: Record<string, string>,
  to: Record<string, string>,
  scale: { users: number; apiKeys: number },
): Promise<void> {
  const source = adapterFor(from);
  await source.open();
  let store: Exported;
  try {
    store = await exported(source);
  } finally {
    await source.close();
  }
  const target = adapterFor(to);
  await target.open();
  try {
    await importStore(target, store.lines);
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
    await forEachLimited(seededUsers, SEED_CONCURRENCY, async (i) => {
      const kuid = kuidOf(i);
      await target.create(USERS, kuid, template.user._source);
      await target.create(CREDENTIALS, randomUUID(), {
        ...template.credentials._source,
        username: kuid,
        kuid,
      });
      for (const event of template.audit) {
        await target.create(AUDIT, randomUUID(), { ...event._source, kuid });
      }
    });
    await forEachLimited(scale.apiKeys - 1, SEED_CONCURRENCY, async (i) => {
      const id = randomUUID();
      const owner = kuidOf(i % seededUsers);
      const fingerprint = createHash('sha256')
        .update(`kapikey-${randomBytes(32).toString('base64url')}`)
        .digest('hex');
      await target.create(API_KEYS, id, {
        ...template.apiKey._source,
        userId: owner,
        fingerprint,
        _kuzzle_info: {
          ...(template.apiKey._source['_kuzzle_info'] as JsonObject),
          author: owner,
          creator: owner,
        },
      });
      await target.create(AUDIT, randomUUID(), {
        ...template.apiKeyAudit._source,
        kuid: owner,
        author: owner,
        target: id,
      });
    });
    const counted = await target.count(USERS, { kind: 'all' });
    const keys = await target.count(API_KEYS, { kind: 'all' });
    if (counted !== scale.users || keys !== scale.apiKeys) {
      throw new Error(
        `seeded ${counted} users and ${keys} API keys, not ${scale.users} and ${scale.apiKeys}`,
      );
    }
  } finally {
    await target.close();
  }
}

function single<T>(list: readonly T[], what: string): T {
  if (list.length !== 1) throw new Error(`expected one ${what} in the store, found ${list.length}`);
  return list[0]!;
}
