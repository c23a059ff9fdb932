/**
 * Mixed workload: a fixed request rate for minutes, as a deployment's traffic is rather than a saturating burst.
 * Of every 100 requests, 90 are `GET /_now` with a user's token, 9 `auth:refreshToken` (`POST /_refreshToken`)
 * and 1 a local login (`POST /_login/local`), over a pool of users each holding one live token. Latency of each
 * kind, and the server's RSS at the start and end of the measured window (a leak shows as growth).
 *
 * The server runs on a deployment's store, the store-scale figure's (100,000 users, 10,000 API keys), read
 * through once before the window: SQLite's page cache (16 MB per connection) is full before the first RSS
 * reading, as on a server that has been running, rather than filling during the window as the store grows.
 *
 * The generator is open-loop: request i is sent at `start + i / rate` whatever the answers before it did, and
 * its latency runs from that scheduled instant, so a stall of the server (or of the bench) counts in full for
 * every request it delayed instead of merely slowing the sending (coordinated omission). Baseline: the same
 * schedule of `GET /_now` against the bare koa route, in the same window, its instants half a slot after
 * Tessera's, so both see the same machine.
 */
import { existsSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN, forEachLimited, http, login } from '../client';
import type { Mode } from '../mode';
import { collectGarbage, inspectFlag } from '../inspector';
import { freePort, startBaseline, startServer, type Child } from '../processes';
import { figure, type Figure } from '../report';
import { Samples, megabytes, percentile } from '../stats';
import { FAST_LOGINS } from './fast-logins';
import { loadedSqliteStore, storeScaleOf } from './store-scale';

/** Requests per second sent to each server: a fraction of what one core of the 2 serves (see performance.md). */
const RATE = 500;
const RSS_SAMPLE_MS = 10_000;
/** An answer slower than this fails the figure: the server did not sustain the rate. */
const TIMEOUT_MS = 30_000;
const KINDS = ['now', 'refresh', 'login'] as const;
type Kind = (typeof KINDS)[number];

/** Of each 100 requests: the 1st a login, nine more spread every 10 a refresh, the other 90 `server:now`. */
function kindOf(i: number): Kind {
  const slot = i % 100;
  if (slot === 0) return 'login';
  return slot % 10 === 5 && slot !== 95 ? 'refresh' : 'now';
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

interface Account {
  readonly username: string;
  readonly password: string;
  jwt: string;
  /** A refresh or login of it is on its way: its token is about to change, so nothing else uses it meanwhile. */
  busy: boolean;
}

interface Window {
  readonly latencies: Record<Kind, Samples>;
  readonly all: Samples;
  readonly sent: number;
  readonly failures: string[];
}

/**
 * `users`: the pool, each holding one token. A user whose token is being refreshed (or who is logging in) is left
 * out of the other requests until the answer comes, so the pool bounds the refreshes and logins in flight: 500 is
 * 10 s of them (200: 4 s), far more than a server keeping up has.
 */
function sizeOf(mode: Mode) {
  return mode.quick
    ? { seconds: 10, warmupSeconds: 2, users: 200 }
    : { seconds: 300, warmupSeconds: 3, users: 500 };
}

export async function mixedWorkloadFigures(mode: Mode): Promise<Figure[]> {
  const size = sizeOf(mode);
  const children: Child[] = [];
  try {
    // A deployment's store, bigger than SQLite's page cache (16 MB per connection, as better-sqlite3 builds it):
    // on a store that starts nearly empty, the cache fills as the window's writes grow the store, and the RSS
    // readings would measure that instead of what the server keeps.
    const scale = storeScaleOf(mode);
    const store = await loadedSqliteStore(mode, FAST_LOGINS);
    const sqlitePath = store.settings['storage__sqlite__path']!;
    const inspectorPort = await freePort();
    const server = await startServer({
      config: { ...FAST_LOGINS, ...store.settings },
      nodeArgs: [inspectFlag(inspectorPort)],
    });
    children.push(server);
    const koa = await startBaseline('bare-koa');
    children.push(koa);
    const adminJwt = (await login(server.url, ADMIN)).jwt;
    const accounts = await createPool(server.url, adminJwt, size.users);
    // The page cache filled before the window, as a server that has run for a while on such a store has it.
    await collectGarbage(inspectorPort);
    const rssBeforeReadThrough = server.rss();
    const readThroughStarted = performance.now();
    await readThroughUsers(server.url, adminJwt);
    const readThroughMs = performance.now() - readThroughStarted;
    await collectGarbage(inspectorPort);
    const rssAfterReadThrough = server.rss();
    // Idle connections are closed before the servers' 5 s keep-alive timeout would close them under a request.
    const agent = new Agent({ keepAlive: true, timeout: 2000 });
    const tessera = (i: number) => tesseraRequest(agent, server.url, accounts, i);
    const bare = async (): Promise<Kind> => {
      const answer = await send(agent, koa.url, 'GET', '/_now');
      if (answer.status !== 200) throw new Error(`bare koa: ${answer.status}`);
      return 'now';
    };
    // The warm-up runs the same mix, so JIT, caches and pools are settled before the first RSS reading.
    await Promise.all([openLoop(size.warmupSeconds, 0, tessera), openLoop(size.warmupSeconds, 0.5, bare)]);
    // Both readings follow a full collection: what the server holds, not where the collector left its heap.
    const rssBeforeCollectionAtStart = server.rss();
    await collectGarbage(inspectorPort);
    const rssAtStart = server.rss();
    const storeAtStart = storeBytes(sqlitePath);
    // Where the RSS went during the window: a bounded cache filling levels off, a leak keeps climbing.
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(Math.round(megabytes(server.rss()))), RSS_SAMPLE_MS);
    let measured: Window;
    let baseline: Window;
    try {
      [measured, baseline] = await Promise.all([
        openLoop(size.seconds, 0, tessera),
        openLoop(size.seconds, 0.5, bare),
      ]);
    } finally {
      clearInterval(sampler);
    }
    agent.destroy();
    const rssBeforeCollectionAtEnd = server.rss();
    await collectGarbage(inspectorPort);
    const rssAtEnd = server.rss();
    const storeAtEnd = storeBytes(sqlitePath);
    for (const side of [measured, baseline]) {
      if (side.failures.length > 0) {
        throw new Error(`${side.failures.length} requests failed, the first: ${side.failures[0]}`);
      }
    }
    for (const kind of KINDS) {
      if (measured.latencies[kind].count === 0) throw new Error(`no ${kind} request was answered`);
    }

    const details = {
      requestsPerSecond: RATE,
      seconds: size.seconds,
      warmupSeconds: size.warmupSeconds,
      users: size.users,
      bcryptCost: Number(FAST_LOGINS['plugins__auth-local__bcryptCost']),
      sent: measured.sent,
      answered: Object.fromEntries(KINDS.map((kind) => [kind, measured.latencies[kind].count])),
      baselineAnswered: baseline.all.count,
      storeUsers: scale.users,
      storeApiKeys: scale.apiKeys,
      seedSeconds: store.seededInSeconds,
      storeMBAtStart: megabytes(storeAtStart),
      storeMBAtEnd: megabytes(storeAtEnd),
      readThroughMs: Math.round(readThroughMs),
      rssBeforeReadThroughMB: megabytes(rssBeforeReadThrough),
      rssAfterReadThroughMB: megabytes(rssAfterReadThrough),
      rssAtStartMB: megabytes(rssAtStart),
      rssAtEndMB: megabytes(rssAtEnd),
      rssBeforeCollectionAtStartMB: megabytes(rssBeforeCollectionAtStart),
      rssBeforeCollectionAtEndMB: megabytes(rssBeforeCollectionAtEnd),
      rssEvery10sMB: rssSamples,
    };
    const window = `${RATE} req/s for ${size.seconds} s`;
    const latency = (id: string, label: string, samples: Samples, p: number, withBaseline: boolean): Figure =>
      figure({
        id: `mixed.${id}.p${p}`,
        label: `Mixed workload, ${label} p${p} (${window})`,
        unit: 'ms',
        value: percentile(samples.toArray(), p),
        baseline: withBaseline ? percentile(baseline.all.toArray(), p) : null,
        baselineLabel: withBaseline ? 'bare koa route, same schedule' : '-',
        details,
      });
    return [
      ...[50, 99].map((p) => latency('all', 'all requests', measured.all, p, true)),
      ...[50, 99].map((p) => latency('now', 'server:now', measured.latencies.now, p, true)),
      ...[50, 99].map((p) => latency('refresh', 'auth:refreshToken', measured.latencies.refresh, p, false)),
      ...[50, 99].map((p) =>
        latency('login', 'login (local, bcrypt cost 4)', measured.latencies.login, p, false),
      ),
      figure({
        id: 'mixed.rss',
        label: `Mixed workload, server RSS at the end, after a full GC (${window})`,
        unit: 'MB',
        value: megabytes(rssAtEnd),
        baseline: megabytes(rssAtStart),
        baselineLabel: 'at the start, after warm-up and a full GC',
        goal: { on: 'ratio', op: '<=', limit: 1.05 },
        details,
      }),
    ];
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/**
 * Has the server read its users table through once, as an admin's search can: the users holding a profile none
 * holds. No field of a user is indexed, so SQLite scans every row (for the page, then for the total), inside the
 * server, and nothing comes back: what stays is the page cache, full.
 */
async function readThroughUsers(url: string, adminJwt: string): Promise<void> {
  const found = await http<{ total: number }>(url, 'POST', '/users/_search', {
    jwt: adminJwt,
    body: { query: { term: { profileIds: 'bench-no-such-profile' } } },
  });
  if (found.total !== 0) throw new Error(`${found.total} users hold the profile no user holds`);
}

/** The SQLite store's size on disk: its file and its write-ahead log. */
function storeBytes(path: string): number {
  const wal = `${path}-wal`;
  return statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/** `count` users of the `default` profile with local credentials, each logged in once. */
async function createPool(url: string, adminJwt: string, count: number): Promise<Account[]> {
  const accounts = new Array<Account>(count);
  await forEachLimited(count, 16, async (i) => {
    const username = `mixed-${i}`;
    const password = `mixed-password-${i}`;
    await http(url, 'POST', `/users/_create?_id=${username}`, {
      jwt: adminJwt,
      body: { content: { profileIds: ['default'] }, credentials: { local: { username, password } } },
    });
    accounts[i] = { username, password, jwt: (await login(url, { username, password })).jwt, busy: false };
  });
  return accounts;
}

/**
 * Sends request `i` of the mix and checks its answer; resolves with its kind. A refresh or a login replaces the
 * account's token with the one it returned, which must be new.
 */
async function tesseraRequest(agent: Agent, url: string, accounts: Account[], i: number): Promise<Kind> {
  const kind = kindOf(i);
  const account = freeAccount(accounts, i);
  if (kind === 'now') {
    const answer = await send(agent, url, 'GET', '/_now', account.jwt);
    if (answer.status !== 200) throw new Error(`GET /_now: ${answer.status} ${answer.body}`);
    return kind;
  }
  account.busy = true;
  try {
    const answer =
      kind === 'refresh'
        ? await send(agent, url, 'POST', '/_refreshToken', account.jwt)
        : await send(agent, url, 'POST', '/_login/local', undefined, {
            username: account.username,
            password: account.password,
          });
    const jwt =
      answer.status === 200 ? (JSON.parse(answer.body) as { result: { jwt?: unknown } }).result.jwt : null;
    if (typeof jwt !== 'string' || jwt === account.jwt) {
      throw new Error(`${kind}: ${answer.status} ${answer.body} (no new token)`);
    }
    account.jwt = jwt;
    return kind;
  } finally {
    account.busy = false;
  }
}

/** The account for request `i`, skipping those whose token is changing (a refreshed token has a grace period). */
function freeAccount(accounts: Account[], i: number): Account {
  for (let k = 0; k < accounts.length; k++) {
    const account = accounts[(i + k) % accounts.length]!;
    if (!account.busy) return account;
  }
  throw new Error(`all ${accounts.length} users are refreshing or logging in: the server fell behind`);
}

/**
 * Sends request i at `start + (i + offset) / RATE` for `seconds`, without waiting for the answers; each latency
 * runs from the request's scheduled instant to its answer. Resolves once every answer came.
 */
async function openLoop(
  seconds: number,
  offset: number,
  issue: (i: number) => Promise<Kind>,
): Promise<Window> {
  const latencies = Object.fromEntries(KINDS.map((kind) => [kind, new Samples()])) as Record<Kind, Samples>;
  const all = new Samples();
  const failures: string[] = [];
  const pending = new Set<Promise<void>>();
  const total = Math.round(seconds * RATE);
  const start = performance.now() + 10;
  const due = (i: number) => start + ((i + offset) * 1000) / RATE;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    for (; next < total && due(next) <= now; next++) {
      const scheduled = due(next);
      const done = withTimeout(issue(next)).then(
        (kind) => {
          const latency = performance.now() - scheduled;
          latencies[kind].add(latency);
          all.add(latency);
        },
        (error: unknown) => {
          const at = ((performance.now() - start) / 1000).toFixed(1);
          failures.push(`at ${at} s: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
      pending.add(done);
      void done.finally(() => pending.delete(done));
    }
    await sleep(Math.max(0, Math.min(due(next) - performance.now(), 5)));
  }
  await Promise.all(pending);
  return { latencies, all, sent: total, failures };
}

/** `work`, or a rejection once it took TIMEOUT_MS. */
async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One HTTP/1.1 request on the keep-alive agent; the whole answer as text. Sent again, once, when a kept-alive
 * connection turns out closed as it was reused (the server closes idle ones after 5 s: the request never reached
 * it), as HTTP clients do; its latency still runs from the scheduled instant.
 */
async function send(...call: Parameters<typeof sendOnce>): Promise<Answer> {
  try {
    return await sendOnce(...call);
  } catch (error) {
    if (!(error instanceof StaleConnection)) throw error;
    return sendOnce(...call);
  }
}

class StaleConnection extends Error {}

function sendOnce(
  agent: Agent,
  url: string,
  method: string,
  path: string,
  jwt?: string,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (jwt !== undefined) headers['authorization'] = `Bearer ${jwt}`;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}${path}`, { method, agent, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      incoming.on('error', reject);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const stale = outgoing.reusedSocket && error.code === 'ECONNRESET';
      reject(stale ? new StaleConnection(error.message) : error);
    });
    outgoing.end(payload);
  });
}
