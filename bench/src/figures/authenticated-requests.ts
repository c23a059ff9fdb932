/**
 * Authenticated requests: `server:now` carrying a valid token of a non-admin user (so the rights check runs),
 * over HTTP keep-alive (autocannon) and over WebSocket (many sockets, several requests in flight on each),
 * against a bare koa route answering the same JSON and a bare ws echo server. All three servers run at once
 * (an idle one costs nothing) and the phases alternate.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import { alternate, type Mode } from '../mode';
import { startBaseline, startServer, type Child } from '../processes';
import { figure, paired, type Figure } from '../report';
import { Samples, median, percentile } from '../stats';

const HTTP_CONNECTIONS = 32;
const WS_SOCKETS = 64;
const WS_IN_FLIGHT = 8;

interface Phase {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly requests: number;
}

export async function authenticatedRequestFigures(mode: Mode): Promise<Figure[]> {
  const children: Child[] = [];
  try {
    const server = await startServer();
    children.push(server);
    const koa = await startBaseline('bare-koa');
    children.push(koa);
    const echo = await startBaseline('bare-ws');
    children.push(echo);
    const { userJwt } = await setUpAccounts(server.url);

    const auth = { authorization: `Bearer ${userJwt}` };
    await httpPhase(server.url, auth, mode.warmupSeconds);
    await httpPhase(koa.url, {}, mode.warmupSeconds);
    const http = await alternate(
      mode,
      () => httpPhase(server.url, auth, mode.phaseSeconds),
      () => httpPhase(koa.url, {}, mode.phaseSeconds),
    );

    // The echo server gets the very frame Tessera does: the floor of one round trip of it through ws.
    const envelope = { controller: 'server', action: 'now', jwt: userJwt };
    const tesseraSockets = await openSockets(server.url, WS_SOCKETS);
    const echoSockets = await openSockets(echo.url, WS_SOCKETS);
    await wsPhase(tesseraSockets, envelope, mode.warmupSeconds);
    await wsPhase(echoSockets, envelope, mode.warmupSeconds);
    const ws = await alternate(
      mode,
      () => wsPhase(tesseraSockets, envelope, mode.phaseSeconds),
      () => wsPhase(echoSockets, envelope, mode.phaseSeconds),
    );
    await Promise.all([...tesseraSockets, ...echoSockets].map((socket) => socket.close()));

    const rows = (
      transport: string,
      runs: { tessera: Phase[]; baseline: Phase[] },
      baselineLabel: string,
      setup: Record<string, unknown>,
    ): Figure[] => {
      const throughput = {
        tessera: runs.tessera.map((run) => run.requestsPerSecond),
        baseline: runs.baseline.map((run) => run.requestsPerSecond),
      };
      const details = {
        ...setup,
        rounds: mode.rounds,
        phaseSeconds: mode.phaseSeconds,
        requestsPerSecond: throughput.tessera.map(Math.round),
        baselineRequestsPerSecond: throughput.baseline.map(Math.round),
      };
      const of = (phases: Phase[], pick: (phase: Phase) => number) => median(phases.map(pick));
      return [
        figure({
          id: `now.${transport.toLowerCase()}.throughput`,
          label: `server:now, ${transport}, user token`,
          unit: 'req/s',
          ...paired(throughput),
          baselineLabel,
          goal: { on: 'ratio', op: '>=', limit: 0.6 },
          details,
        }),
        figure({
          id: `now.${transport.toLowerCase()}.p99`,
          label: `server:now, ${transport}, p99 latency`,
          unit: 'ms',
          value: of(runs.tessera, (run) => run.p99Ms),
          baseline: of(runs.baseline, (run) => run.p99Ms),
          baselineLabel,
          details,
        }),
      ];
    };
    return [
      ...rows('HTTP', http, 'bare koa route', { connections: HTTP_CONNECTIONS, keepAlive: true }),
      ...rows('WebSocket', ws, 'bare ws echo', { sockets: WS_SOCKETS, inFlightPerSocket: WS_IN_FLIGHT }),
    ];
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

async function httpPhase(url: string, headers: Record<string, string>, seconds: number): Promise<Phase> {
  const result = await autocannon({
    url: `${url}/_now`,
    headers,
    connections: HTTP_CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`GET ${url}/_now: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    requestsPerSecond: result['2xx'] / (result.duration || seconds),
    p99Ms: result.latency.p99,
    requests: result['2xx'],
  };
}

/**
 * WS_IN_FLIGHT requests in flight on each socket for `seconds`: every answer sends the next request. Counts
 * and times the answers that came within the phase.
 */
async function wsPhase(
  sockets: readonly KuzzleSocket[],
  envelope: Record<string, unknown>,
  seconds: number,
): Promise<Phase> {
  const latencies = new Samples();
  let failures = 0;
  let running = true;
  const loop = async (socket: KuzzleSocket) => {
    while (running) {
      const sent = performance.now();
      const answer = await socket.send(envelope);
      if (!running) return;
      if (answer.error) failures++;
      else latencies.add(performance.now() - sent);
    }
  };
  const start = performance.now();
  const loops = sockets.flatMap((socket) => Array.from({ length: WS_IN_FLIGHT }, () => loop(socket)));
  await new Promise((done) => setTimeout(done, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - start) / 1000;
  const answered = latencies.count;
  await Promise.all(loops);
  if (failures > 0) throw new Error(`WebSocket: ${failures} error answers`);
  return {
    requestsPerSecond: answered / elapsed,
    p99Ms: percentile(latencies.toArray(), 99),
    requests: answered,
  };
}
