/**
 * Memory: resident memory per idle, authenticated WebSocket connection holding one subscription, at 5,000
 * connections (1,500 with --quick): the server's RSS (a child process: /proc/<pid>/status VmRSS) once they are all idle, minus its
 * RSS before, over the count. Baseline: a bare ws server holding the same number of idle sockets.
 */
import { forEachLimited, openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import type { Mode } from '../mode';
import { startBaseline, startServer, type Child } from '../processes';
import { figure, type Figure } from '../report';
import { median } from '../stats';

/** Connections opened, used and closed first, so that code and pools warmed up are not charged to the rest. */
const WARMUP_CONNECTIONS = 200;

export async function memoryFigures(mode: Mode): Promise<Figure[]> {
  const settleMs = mode.quick ? 1000 : 3000;
  // The goal is stated at 5,000; a quick run measures 1,500 (the figure is per connection).
  const connections = mode.quick ? 1500 : 5000;
  let tessera: number;
  const server = await startServer();
  try {
    const { userJwt } = await setUpAccounts(server.url);
    const authenticate = async (sockets: KuzzleSocket[]) =>
      forEachLimited(sockets.length, 100, async (i) => {
        const socket = sockets[i]!;
        // Each connection its own token, as each connected user has one.
        const { token } = await socket.call<{ token: string }>({
          controller: 'auth',
          action: 'createToken',
          jwt: userJwt,
        });
        await socket.call({
          controller: 'realtime',
          action: 'subscribe',
          index: 'bench',
          collection: 'idle',
          body: {},
          jwt: token,
        });
      });
    tessera = await perConnection(server, connections, authenticate, settleMs);
  } finally {
    await server.stop();
  }
  const bare = await startBaseline('bare-ws');
  let baseline: number;
  try {
    baseline = await perConnection(bare, connections, () => Promise.resolve(), settleMs);
  } finally {
    await bare.stop();
  }
  return [
    figure({
      id: 'memory.per-connection',
      label: `RSS per idle authenticated WebSocket + 1 subscription (${connections})`,
      unit: 'KB',
      value: tessera / 1024,
      baseline: baseline / 1024,
      baselineLabel: 'bare ws server',
      goal: { on: 'value', op: '<=', limit: 50 },
      details: { connections, warmupConnections: WARMUP_CONNECTIONS, settleMs },
    }),
  ];
}

/** Bytes of RSS each connection adds once idle. */
async function perConnection(
  child: Child,
  connections: number,
  prepare: (sockets: KuzzleSocket[]) => Promise<void>,
  settleMs: number,
): Promise<number> {
  const warm = await openSockets(child.url, WARMUP_CONNECTIONS);
  await prepare(warm);
  await Promise.all(warm.map((socket) => socket.close()));
  const before = await settledRss(child, settleMs);
  const sockets = await openSockets(child.url, connections);
  await prepare(sockets);
  const after = await settledRss(child, settleMs);
  for (const socket of sockets) socket.socket.terminate();
  return (after - before) / connections;
}

/** The median of five RSS readings over the settle time, after the process went idle. */
async function settledRss(child: Child, settleMs: number): Promise<number> {
  await new Promise((done) => setTimeout(done, settleMs));
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(child.rss());
    await new Promise((done) => setTimeout(done, settleMs / 5));
  }
  return median(readings);
}
