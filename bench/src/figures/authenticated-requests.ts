/**
 * Authenticated requests: `server:now` carrying a valid token of a non-admin user (so the rights check runs),
 * over HTTP keep-alive (autocannon) and over WebSocket (many sockets, several requests in flight on each),
 * against a bare koa route answering the same JSON and a bare ws echo server.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { openSockets, setUpAccounts, type KuzzleSocket } from '../client';
import type { Mode } from '../mode';
import { startBaseline, startServer } from '../processes';
import { figure, type Figure } from '../report';
import { Samples, percentile } from '../stats';

const HTTP_CONNECTIONS = 32;
const WS_SOCKETS = 64;
const WS_IN_FLIGHT = 8;

interface Load {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly requests: number;
}

export async function authenticatedRequestFigures(mode: Mode): Promise<Figure[]> {
  let http: Load;
  let ws: Load;
  let envelope: Record<string, unknown>;
  const server = await startServer();
  try {
    const { userJwt } = await setUpAccounts(server.url);
    envelope = { controller: 'server', action: 'now', jwt: userJwt };
    http = await httpLoad(server.url, mode, { authorization: `Bearer ${userJwt}` });
    ws = await wsLoad(server.url, mode, envelope);
  } finally {
    await server.stop();
  }

  const koa = await startBaseline('bare-koa');
  let bareHttp: Load;
  try {
    bareHttp = await httpLoad(koa.url, mode, {});
  } finally {
    await koa.stop();
  }
  const echo = await startBaseline('bare-ws');
  let bareWs: Load;
  try {
    // The same frame, echoed: the floor of one round trip of it through ws.
    bareWs = await wsLoad(echo.url, mode, envelope);
  } finally {
    await echo.stop();
  }

  const details = (load: Load, bare: Load, setup: Record<string, unknown>) => ({
    ...setup,
    seconds: mode.loadSeconds,
    requests: load.requests,
    baselineRequests: bare.requests,
  });
  const httpSetup = { connections: HTTP_CONNECTIONS, keepAlive: true };
  const wsSetup = { sockets: WS_SOCKETS, inFlightPerSocket: WS_IN_FLIGHT };
  return [
    figure({
      id: 'now.http.throughput',
      label: 'server:now, HTTP keep-alive, user token',
      unit: 'req/s',
      value: http.requestsPerSecond,
      baseline: bareHttp.requestsPerSecond,
      baselineLabel: 'bare koa route',
      goal: { on: 'ratio', op: '>=', limit: 0.6 },
      details: details(http, bareHttp, httpSetup),
    }),
    figure({
      id: 'now.http.p99',
      label: 'server:now, HTTP keep-alive, p99 latency',
      unit: 'ms',
      value: http.p99Ms,
      baseline: bareHttp.p99Ms,
      baselineLabel: 'bare koa route',
      details: details(http, bareHttp, httpSetup),
    }),
    figure({
      id: 'now.ws.throughput',
      label: 'server:now, WebSocket, user token',
      unit: 'req/s',
      value: ws.requestsPerSecond,
      baseline: bareWs.requestsPerSecond,
      baselineLabel: 'bare ws echo',
      goal: { on: 'ratio', op: '>=', limit: 0.6 },
      details: details(ws, bareWs, wsSetup),
    }),
    figure({
      id: 'now.ws.p99',
      label: 'server:now, WebSocket, p99 latency',
      unit: 'ms',
      value: ws.p99Ms,
      baseline: bareWs.p99Ms,
      baselineLabel: 'bare ws echo',
      details: details(ws, bareWs, wsSetup),
    }),
  ];
}

async function httpLoad(url: string, mode: Mode, headers: Record<string, string>): Promise<Load> {
  const load = (seconds: number) =>
    autocannon({ url: `${url}/_now`, headers, connections: HTTP_CONNECTIONS, duration: seconds });
  await load(mode.warmupSeconds);
  const result = await load(mode.loadSeconds);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`GET ${url}/_now: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    requestsPerSecond: result['2xx'] / (result.duration || mode.loadSeconds),
    p99Ms: result.latency.p99,
    requests: result['2xx'],
  };
}

/**
 * WS_SOCKETS sockets with WS_IN_FLIGHT requests each in flight at all times: every answer sends the next
 * request. Counts and times only the answers of the measured phase.
 */
async function wsLoad(url: string, mode: Mode, envelope: Record<string, unknown>): Promise<Load> {
  const sockets = await openSockets(url, WS_SOCKETS);
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  const latencies = new Samples();
  let failures = 0;
  const loop = async (socket: KuzzleSocket) => {
    while (phase !== 'stop') {
      const start = performance.now();
      const answer = await socket.send(envelope);
      if (phase !== 'measure') continue;
      if (answer.error) failures++;
      else latencies.add(performance.now() - start);
    }
  };
  const loops = sockets.flatMap((socket) => Array.from({ length: WS_IN_FLIGHT }, () => loop(socket)));
  await new Promise((done) => setTimeout(done, mode.warmupSeconds * 1000));
  phase = 'measure';
  const start = performance.now();
  await new Promise((done) => setTimeout(done, mode.loadSeconds * 1000));
  const seconds = (performance.now() - start) / 1000;
  phase = 'stop';
  const answered = latencies.count;
  await Promise.all(loops);
  await Promise.all(sockets.map((socket) => socket.close()));
  if (failures > 0) throw new Error(`WebSocket ${url}: ${failures} error answers`);
  return {
    requestsPerSecond: answered / seconds,
    p99Ms: percentile(latencies.toArray(), 99),
    requests: answered,
  };
}
