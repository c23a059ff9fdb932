/**
 * Expiry notifications: 1,000 WebSocket connections, each authenticated with its own token, the tokens expiring
 * across 10 s, over many other live tokens in the store. Lateness of each `TokenExpired` frame, as the client
 * receives it, against its token's expiresAt. Baseline: a bare ws server pushing one frame per socket from a
 * setTimeout at the same instants (timer + delivery floor).
 *
 * Tokens come from `auth:createToken` with `expiresIn` (the user's own API, no bcrypt per token); a connection
 * is authenticated with its token by a request carrying it, as Kuzzle links a token to its connection.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import type { Mode } from '../mode';
import { startBaseline, startServer } from '../processes';
import { figure, type Figure } from '../report';
import { percentile } from '../stats';

const CONNECTIONS = 1000;
const SPREAD_MS = 10_000;
/** Time given to authenticate every connection before the first expiry. */
const LEAD_MS = 5000;
const SLOT_MS = SPREAD_MS / CONNECTIONS;
/** After the last expiry, how long a missing notification is waited for. */
const GRACE_MS = 3000;

interface Lateness {
  readonly values: number[];
  readonly missing: number;
}

export async function expiryFigures(mode: Mode): Promise<Figure[]> {
  let tessera: Lateness;
  let baseline: Lateness;
  let seededInSeconds: number;
  const server = await startServer();
  const bare = await startBaseline('bare-ws');
  try {
    const { userJwt } = await setUpAccounts(server.url);
    const seeding = performance.now();
    await seedTokens(server.url, userJwt, mode.otherTokens);
    seededInSeconds = Math.round((performance.now() - seeding) / 100) / 10;
    // Both run in the same 10 s, their deadlines interleaved half a slot apart: the same machine noise for both,
    // and 200 frames a second in all, which neither side notices.
    const tesseraSockets = await openSockets(server.url, CONNECTIONS);
    const bareSockets = await openSockets(bare.url, CONNECTIONS);
    const firstExpiry = Date.now() + LEAD_MS;
    [tessera, baseline] = await Promise.all([
      tesseraLateness(tesseraSockets, userJwt, firstExpiry),
      bareLateness(bareSockets, firstExpiry + SLOT_MS / 2),
    ]);
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
  }

  const details = {
    connections: CONNECTIONS,
    spreadMs: SPREAD_MS,
    otherLiveTokens: mode.otherTokens,
    otherTokensSeededInSeconds: seededInSeconds,
    missing: tessera.missing,
    baselineMissing: baseline.missing,
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
  return [
    row('expiry.p50', 'TokenExpired lateness p50', 50),
    row('expiry.p99', 'TokenExpired lateness p99', 99, 50),
    row('expiry.max', 'TokenExpired lateness max', 100),
  ];
}

function pick(lateness: Lateness, p: number): number {
  return percentile(lateness.values, p);
}

/** `count` live tokens of the user, through `auth:createToken` (default lifetime, 2 h). */
async function seedTokens(url: string, jwt: string, count: number): Promise<void> {
  const result = await autocannon({
    url: `${url}/_createToken`,
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}` },
    connections: 8,
    amount: count,
  });
  if (result['2xx'] !== count) {
    throw new Error(`seeding tokens: ${result['2xx']} of ${count} created (${result.non2xx} refused)`);
  }
}

async function tesseraLateness(
  sockets: KuzzleSocket[],
  userJwt: string,
  firstExpiry: number,
): Promise<Lateness> {
  const expiresAt = new Array<number>(CONNECTIONS);
  const values: number[] = [];
  sockets.forEach((socket, i) => {
    socket.onNotification = (frame, receivedAt) => {
      if (frame.type === 'TokenExpired') values.push(receivedAt - expiresAt[i]!);
    };
  });
  await Promise.all(
    sockets.map(async (socket, i) => {
      const target = firstExpiry + Math.round(i * SLOT_MS);
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
  return collect(sockets, values, firstExpiry);
}

async function bareLateness(sockets: KuzzleSocket[], firstExpiry: number): Promise<Lateness> {
  const values: number[] = [];
  sockets.forEach((socket, i) => {
    const notifyAt = firstExpiry + Math.round(i * SLOT_MS);
    socket.onNotification = (frame, receivedAt) => {
      if (frame.type === 'TokenExpired') values.push(receivedAt - notifyAt);
    };
    socket.socket.send(JSON.stringify({ notifyAt }));
  });
  return collect(sockets, values, firstExpiry);
}

async function collect(sockets: KuzzleSocket[], values: number[], firstExpiry: number): Promise<Lateness> {
  const deadline = firstExpiry + SPREAD_MS + GRACE_MS;
  while (values.length < sockets.length && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
  }
  for (const socket of sockets) socket.socket.terminate();
  return { values: [...values], missing: sockets.length - values.length };
}
