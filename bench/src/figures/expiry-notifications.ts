/**
 * Expiry notifications: 1,000 WebSocket connections, each authenticated with its own token, the tokens expiring
 * across 10 s (5 s with `--quick`), over a million other live tokens in the store. Lateness of each `TokenExpired` frame, as the
 * client receives it, against its token's expiresAt. Baseline: a bare ws server pushing one frame per socket
 * from a setTimeout at the same instants (timer + delivery floor). The server's RSS is read when it is ready on
 * the loaded store, and again once the window is over.
 *
 * The measured tokens come from `auth:createToken` with `expiresIn` (the user's own API, no bcrypt per token); a
 * connection is authenticated with its token by a request carrying it, as Kuzzle links a token to its
 * connection. The other tokens are seeded through the Store adapter (see seeding.ts): clones of the record
 * `auth:createToken` wrote for the bench user in this run, each with a hash of its own (the sha256 of a fresh
 * random token), its own session and refresh chain, created over the last token lifetime and so expiring over
 * the next one, all after the measured window. The server only watches the deadlines of tokens linked to a
 * connection (token-lifecycle.ts), so the million live tokens load the store (the table the 1,000 tokens are
 * written to and read from, its indexes) and the server's memory, not its expiry heap.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { hashToken } from '@tessera/cluster';
import type { JsonObject } from '@tessera/plugin-sdk';
import type { CollectionRef, StoreAdapter } from '@tessera/store';
import { http, openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import type { Mode } from '../mode';
import { scratchDir, startBaseline, startServer } from '../processes';
import { figure, type Figure } from '../report';
import {
  MEMORY_DIR,
  cachedSqliteStore,
  createMany,
  copyWithImport,
  exported,
  single,
  sqliteSettings,
  withAdapter,
} from '../seeding';
import { megabytes, percentile } from '../stats';

const TOKENS: CollectionRef = { namespace: 'kernel', collection: 'tokens' };
const CONNECTIONS = 1000;
/** Time given to authenticate every connection before the first expiry. */
const LEAD_MS = 5000;
/** After the last expiry, how long a missing notification is waited for. */
const GRACE_MS = 3000;
/**
 * The seeded tokens' lifetime: the longest the default configuration grants (`security.jwt.maxTTL`), so that a
 * cached store of them stays live for hours. They expire FIRST_EXPIRY_MS after they were written at the
 * earliest, and the cached store is rebuilt once it is CACHE_MAX_AGE_MS old: every seeded token is live (and
 * stays so for LIVE_AT_LEAST_MS, past the measured window) whenever the figure runs.
 */
const TTL = '1d';
const FIRST_EXPIRY_MS = 6 * 3600_000;
const LIVE_AT_LEAST_MS = 30 * 60_000;
const CACHE_MAX_AGE_MS = FIRST_EXPIRY_MS - LIVE_AT_LEAST_MS;

/** When the expiries fall: `firstExpiry` (epoch ms), then one every `slotMs`, over `spreadMs`. */
interface Schedule {
  readonly firstExpiry: number;
  readonly slotMs: number;
  readonly spreadMs: number;
}

interface Lateness {
  readonly values: number[];
  readonly missing: number;
}

export async function expiryFigures(mode: Mode): Promise<Figure[]> {
  let tessera: Lateness;
  let baseline: Lateness;
  const spreadMs = mode.quick ? 5000 : 10_000;
  // The accounts, and one token the real path writes, on a near-empty store; the loaded store is a copy of the
  // cached tokens with this store imported into it. In memory, as the cache: a copy of half a gigabyte costs a
  // memcpy, not disk traffic lasting into the figures after this one, and the window writes nothing to the store.
  const dir = scratchDir('expiry', MEMORY_DIR);
  const first = await startServer({ sqlitePath: join(dir, 'near-empty.db') });
  let userJwt: string;
  let templateHash: string;
  try {
    userJwt = (await setUpAccounts(first.url)).userJwt;
    const created = await http<{ token: string }>(first.url, 'POST', `/_createToken?expiresIn=${TTL}`, {
      jwt: userJwt,
    });
    templateHash = hashToken(created.token);
  } finally {
    await first.stop();
  }
  const store = await withAdapter(sqliteSettings(first.sqlitePath), exported);
  const template = single(
    (store.documents.get('kernel/tokens') ?? []).filter((doc) => doc._id === templateHash),
    'token made by auth:createToken',
  );
  const cache = await cachedSqliteStore(
    `tokens-${mode.otherTokens}`,
    { lines: store.lines, maxAgeMs: CACHE_MAX_AGE_MS },
    (adapter) => seedTokens(adapter, template._source, mode.otherTokens),
  );
  const sqlitePath = join(dir, 'loaded.db');
  await copyWithImport(cache.path, sqlitePath, store.lines);
  const live = await withAdapter(sqliteSettings(sqlitePath), (adapter) =>
    adapter.count(TOKENS, { kind: 'range', field: 'expiresAt', gt: Date.now() + LIVE_AT_LEAST_MS }),
  );
  if (live < mode.otherTokens) throw new Error(`${live} live tokens in the store, not ${mode.otherTokens}`);

  const server = await startServer({ sqlitePath });
  const rssAtStart = server.rss();
  let rssAfter: number;
  const bare = await startBaseline('bare-ws');
  try {
    // Both run in the same 10 s (5 s with --quick), their deadlines interleaved half a slot apart: the same
    // machine noise for both, and 200 (400) frames a second in all, which neither side notices.
    const tesseraSockets = await openSockets(server.url, CONNECTIONS);
    const bareSockets = await openSockets(bare.url, CONNECTIONS);
    const schedule: Schedule = {
      firstExpiry: Date.now() + LEAD_MS,
      slotMs: spreadMs / CONNECTIONS,
      spreadMs,
    };
    [tessera, baseline] = await Promise.all([
      tesseraLateness(tesseraSockets, userJwt, schedule),
      bareLateness(bareSockets, { ...schedule, firstExpiry: schedule.firstExpiry + schedule.slotMs / 2 }),
    ]);
    rssAfter = server.rss();
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
  }

  const details = {
    connections: CONNECTIONS,
    spreadMs,
    otherLiveTokens: mode.otherTokens,
    otherTokensTtl: TTL,
    otherTokensSeededInSeconds: cache.builtInSeconds,
    seededThrough: 'Store adapter (clones of a record auth:createToken wrote), cached',
    missing: tessera.missing,
    baselineMissing: baseline.missing,
    serverRssAtStartMB: megabytes(rssAtStart),
    serverRssAfterMB: megabytes(rssAfter),
  };
  const row = (id: string, label: string, p: number, goal?: number) =>
    figure({
      id,
      label,
      unit: 'ms',
      value: pick(tessera, p),
      baseline: pick(baseline, p),
      baselineLabel: 'bare ws + setTimeout',
      ...(goal === undefined ? {} : { goal: { on: 'value', op: '<=', limit: goal } as const }),
      details,
    });
  if (tessera.missing > 0) throw new Error(`${tessera.missing} TokenExpired notifications never came`);
  const among = `${mode.otherTokens.toLocaleString('en')} live tokens`;
  return [
    row('expiry.p50', `TokenExpired lateness p50, ${among}`, 50),
    row('expiry.p99', `TokenExpired lateness p99, ${among}`, 99, 50),
    row('expiry.max', `TokenExpired lateness max, ${among}`, 100),
    figure({
      id: 'expiry.rss',
      label: `Server RSS after the expiry window, ${among}`,
      unit: 'MB',
      value: megabytes(rssAfter),
      baseline: megabytes(rssAtStart),
      baselineLabel: 'ready on the loaded store',
      details,
    }),
  ];
}

function pick(lateness: Lateness, p: number): number {
  return percentile(lateness.values, p);
}

/**
 * Writes `count` clones of `template` (a token record auth:createToken wrote), each with a hash of its own (the
 * sha256 of a fresh random token), its own session and refresh chain. Created in order over the last day, their
 * lifetime, so they expire in that order over the next one, the first FIRST_EXPIRY_MS from now: none expires
 * while the cached store is used, and the expiresAt index grows as the server's would.
 */
async function seedTokens(adapter: StoreAdapter, template: JsonObject, count: number): Promise<void> {
  const ttl = template['ttl'];
  if (typeof ttl !== 'number' || ttl <= FIRST_EXPIRY_MS) {
    throw new Error(
      `the token's ttl (${JSON.stringify(ttl)} ms) leaves no room to seed tokens that stay live`,
    );
  }
  const firstExpiry = Date.now() + FIRST_EXPIRY_MS;
  const spread = ttl - FIRST_EXPIRY_MS;
  await createMany(adapter, TOKENS, count, (i) => {
    const expiresAt = firstExpiry + Math.floor((i * spread) / count);
    return {
      id: hashToken(`kauth-${randomBytes(32).toString('base64url')}`),
      source: {
        ...template,
        expiresAt,
        createdAt: expiresAt - ttl,
        chainId: randomUUID(),
        sessionId: randomBytes(16).toString('hex'),
      },
    };
  });
  const seeded = await adapter.count(TOKENS, { kind: 'all' });
  if (seeded !== count) throw new Error(`seeded ${seeded} tokens, not ${count}`);
}

async function tesseraLateness(
  sockets: KuzzleSocket[],
  userJwt: string,
  schedule: Schedule,
): Promise<Lateness> {
  const { firstExpiry, slotMs } = schedule;
  const expiresAt = new Array<number>(CONNECTIONS);
  const values: number[] = [];
  sockets.forEach((socket, i) => {
    socket.onNotification = (frame, receivedAt) => {
      if (frame.type === 'TokenExpired') values.push(receivedAt - expiresAt[i]!);
    };
  });
  await Promise.all(
    sockets.map(async (socket, i) => {
      const target = firstExpiry + Math.round(i * slotMs);
      const token = await socket.call<{ token: string; expiresAt: number }>({
        controller: 'auth',
        action: 'createToken',
        jwt: userJwt,
        expiresIn: target - Date.now(),
      });
      expiresAt[i] = token.expiresAt;
      // Any request carrying the token links it to this connection.
      await socket.call({ controller: 'server', action: 'now', jwt: token.token });
    }),
  );
  if (Date.now() >= firstExpiry) throw new Error('authenticating the connections took longer than the lead');
  return collect(sockets, values, schedule);
}

async function bareLateness(sockets: KuzzleSocket[], schedule: Schedule): Promise<Lateness> {
  const values: number[] = [];
  sockets.forEach((socket, i) => {
    const notifyAt = schedule.firstExpiry + Math.round(i * schedule.slotMs);
    socket.onNotification = (frame, receivedAt) => {
      if (frame.type === 'TokenExpired') values.push(receivedAt - notifyAt);
    };
    socket.socket.send(JSON.stringify({ notifyAt }));
  });
  return collect(sockets, values, schedule);
}

async function collect(sockets: KuzzleSocket[], values: number[], schedule: Schedule): Promise<Lateness> {
  const deadline = schedule.firstExpiry + schedule.spreadMs + GRACE_MS;
  while (values.length < sockets.length && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
  }
  for (const socket of sockets) socket.socket.terminate();
  return { values: [...values], missing: sockets.length - values.length };
}
