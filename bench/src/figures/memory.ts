/**
 * Memory: resident memory per idle, authenticated WebSocket connection holding one subscription, at 5,000
 * connections (1,500 with --quick): the server's RSS (a child process: /proc/<pid>/status VmRSS) once they are
 * all idle, minus its RSS before, over the count; each reading after a full collection, once RSS settled.
 * Baseline: a bare ws server holding the same number of idle sockets, read the same way.
 */
import { performance } from 'node:perf_hooks';
import { forEachLimited, openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import type { Mode } from '../mode';
import { collectGarbage, inspectFlag } from '../inspector';
import { freePort, startBaseline, startServer, type Child } from '../processes';
import { figure, type Figure } from '../report';
import { median } from '../stats';

/** Connections opened, used and closed first, so that code and pools warmed up are not charged to the rest. */
const WARMUP_CONNECTIONS = 200;

export async function memoryFigures(mode: Mode): Promise<Figure[]> {
  // The goal is stated at 5,000; a quick run measures 1,500 (the figure is per connection).
  const connections = mode.quick ? 1500 : 5000;
  let tessera: PerConnection;
  const serverInspector = await freePort();
  const server = await startServer({ nodeArgs: [inspectFlag(serverInspector)] });
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
    tessera = await perConnection({ child: server, inspector: serverInspector }, connections, authenticate);
  } finally {
    await server.stop();
  }
  const bareInspector = await freePort();
  const bare = await startBaseline('bare-ws', [inspectFlag(bareInspector)]);
  let baseline: PerConnection;
  try {
    baseline = await perConnection({ child: bare, inspector: bareInspector }, connections, () =>
      Promise.resolve(),
    );
  } finally {
    await bare.stop();
  }
  return [
    figure({
      id: 'memory.per-connection',
      label: `RSS per idle authenticated WebSocket + 1 subscription (${connections})`,
      unit: 'KB',
      value: tessera.bytes / 1024,
      baseline: baseline.bytes / 1024,
      baselineLabel: 'bare ws server',
      goal: { on: 'value', op: '<=', limit: 50 },
      details: {
        connections,
        warmupConnections: WARMUP_CONNECTIONS,
        settledWithinPercent: SETTLED_SPREAD * 100,
        settleMs: { tessera: tessera.settleMs, baseline: baseline.settleMs },
      },
    }),
  ];
}

interface PerConnection {
  /** Bytes of RSS each connection adds once idle. */
  readonly bytes: number;
  /** How long each of the two readings (before, after) waited for RSS to settle. */
  readonly settleMs: readonly number[];
}

/** Each reading follows a full collection: what the process holds, not where its collector left the heap. */
async function perConnection(
  target: { child: Child; inspector: number },
  connections: number,
  prepare: (sockets: KuzzleSocket[]) => Promise<void>,
): Promise<PerConnection> {
  const { child, inspector } = target;
  const reading = async () => {
    await collectGarbage(inspector);
    return settledRss(child);
  };
  const warm = await openSockets(child.url, WARMUP_CONNECTIONS);
  await prepare(warm);
  await Promise.all(warm.map((socket) => socket.close()));
  const before = await reading();
  const sockets = await openSockets(child.url, connections);
  await prepare(sockets);
  const after = await reading();
  for (const socket of sockets) socket.socket.terminate();
  return { bytes: (after.rss - before.rss) / connections, settleMs: [before.waitedMs, after.waitedMs] };
}

/** RSS is read every READING_MS; it has settled once the last AGREEING_READINGS spread within SETTLED_SPREAD. */
const READING_MS = 250;
const AGREEING_READINGS = 5;
/** Of their median: 0.5 MB of a process of about 100 MB, some 1% of the 40 MB that 5,000 connections add. */
const SETTLED_SPREAD = 0.005;
/** The longest a reading waits; past it, the median of the last readings is kept, settled or not. */
const MAX_SETTLE_MS = 6000;

/**
 * The median of the last readings of RSS once they agree: an idle process, just collected, stops moving within
 * a second or two, and waiting for that rather than for a fixed 6 s saves the full run some 15 s over its four
 * readings.
 */
async function settledRss(child: Child): Promise<{ rss: number; waitedMs: number }> {
  const started = performance.now();
  const readings: number[] = [];
  for (;;) {
    await new Promise((done) => setTimeout(done, READING_MS));
    readings.push(child.rss());
    const last = readings.slice(-AGREEING_READINGS);
    if (last.length < AGREEING_READINGS) continue;
    const middle = median(last);
    const waitedMs = Math.round(performance.now() - started);
    if (Math.max(...last) - Math.min(...last) <= middle * SETTLED_SPREAD || waitedMs >= MAX_SETTLE_MS) {
      return { rss: middle, waitedMs };
    }
  }
}
