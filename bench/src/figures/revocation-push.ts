/**
 * Revocation push: the bench user holds 1,000 live WebSocket connections (200 with `--quick`), each logged in
 * over its socket with a token of its own, as Kuzzle clients hold one token per connection (so the revocation
 * ends 1,000 tokens, each reaching its one connection: the heavier and the usual case). The admin then sends
 * `security:revokeTokens` for that user over its own socket; the figure is the time from sending that request to
 * the last connection's `TokenExpired` frame (`reason: "revoked"`), as the clients receive it. Each round logs
 * the sockets in again (bcrypt cost 4, `FAST_LOGINS`) and revokes; every socket must receive exactly one such
 * frame per round, or the figure fails.
 *
 * Baseline: a bare ws server pushing the same frame to as many sockets on one request, same measure.
 */
import { performance } from 'node:perf_hooks';
import { KuzzleSocket, USER, forEachLimited, openSockets, setUpAccounts, type KuzzleAnswer } from '../client';
import type { Mode } from '../mode';
import { startBaseline, startServer } from '../processes';
import { figure, type Figure } from '../report';
import { median, percentile } from '../stats';
import { FAST_LOGINS, localLogin } from './fast-logins';

/** How long the last frame of a round is waited for before the figure fails. */
const TIMEOUT_MS = 10_000;
/**
 * Rounds run before the measured ones, their times kept in the JSON only: in the runs of 2026-12-03 the first two
 * rounds after the server started were the slowest (61 to 106 ms; the later ones 32 to 68 ms), JIT tiers settling.
 */
const WARMUP_ROUNDS = 3;

export async function revocationPushFigures(mode: Mode): Promise<Figure[]> {
  const connections = mode.quick ? 200 : 1000;
  const rounds = mode.quick ? 5 : 10;
  const server = await startServer({ config: FAST_LOGINS });
  const bare = await startBaseline('bare-ws-broadcast');
  try {
    const { adminJwt } = await setUpAccounts(server.url);
    const admin = await KuzzleSocket.open(server.url);
    const userSockets = await openSockets(server.url, connections);
    const listeners = await openSockets(bare.url, connections);
    await forEachLimited(listeners.length, 32, async (i) => {
      const socket = listeners[i]!;
      const listening = new Promise<void>((done) => (socket.onNotification = () => done()));
      socket.socket.send(JSON.stringify({ listen: 'kuzzle:notification:server' }));
      await listening;
    });
    const control = await KuzzleSocket.open(bare.url);

    const loginMs: number[] = [];
    const answerMs: number[] = [];
    const tesseraRound = async (): Promise<{ ms: number; frame: KuzzleAnswer }> => {
      const loginStart = performance.now();
      await forEachLimited(userSockets.length, 64, async (i) => {
        await userSockets[i]!.call(localLogin(USER));
      });
      loginMs.push(performance.now() - loginStart);
      const arrivals = lastArrival(userSockets);
      const start = performance.timeOrigin + performance.now();
      const answer = admin.send({
        controller: 'security',
        action: 'revokeTokens',
        _id: USER.kuid,
        jwt: adminJwt,
      });
      const { last, frame } = await arrivals;
      const answered = await answer;
      if (answered.error !== null) throw new Error(`security:revokeTokens: ${answered.error.id}`);
      answerMs.push(performance.timeOrigin + performance.now() - start);
      return { ms: last - start, frame };
    };
    const bareRound = async (frame: string): Promise<number> => {
      const arrivals = lastArrival(listeners);
      const start = performance.timeOrigin + performance.now();
      control.socket.send(JSON.stringify({ push: frame }));
      return (await arrivals).last - start;
    };

    const warmup = { tessera: [] as number[], baseline: [] as number[] };
    let pushed = '';
    for (let round = 0; round < (mode.quick ? 1 : WARMUP_ROUNDS); round++) {
      const { ms, frame } = await tesseraRound();
      warmup.tessera.push(ms);
      pushed = JSON.stringify(frame);
      warmup.baseline.push(await bareRound(pushed));
    }
    const runs = { tessera: [] as number[], baseline: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      runs.tessera.push((await tesseraRound()).ms);
      runs.baseline.push(await bareRound(pushed));
    }
    await Promise.all([admin, control, ...userSockets, ...listeners].map((socket) => socket.close()));

    const details = {
      connections,
      rounds,
      tokens: 'one per connection',
      milliseconds: runs.tessera,
      baselineMilliseconds: runs.baseline,
      warmupMilliseconds: warmup.tessera,
      warmupBaselineMilliseconds: warmup.baseline,
      revokeTokensAnsweredMsMedian: median(answerMs),
      loginAllSocketsMsMedian: median(loginMs),
    };
    const row = (id: string, label: string, p: number, goal?: number) =>
      figure({
        id,
        label,
        unit: 'ms',
        value: percentile(runs.tessera, p),
        baseline: percentile(runs.baseline, p),
        baselineLabel: 'bare ws, one frame to each socket',
        ...(goal === undefined ? {} : { goal: { on: 'value', op: '<=', limit: goal } as const }),
        details,
      });
    return [
      row('revocation.p50', `revokeTokens to last TokenExpired p50, ${connections} sockets`, 50),
      row('revocation.p99', `revokeTokens to last TokenExpired p99, ${connections} sockets`, 99, 100),
    ];
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
  }
}

/**
 * Resolves with the receive time of the last of the sockets' `TokenExpired` frames (reason `revoked`) and that
 * frame, once every socket received exactly one; rejects on any other frame, or after TIMEOUT_MS.
 */
function lastArrival(sockets: KuzzleSocket[]): Promise<{ last: number; frame: KuzzleAnswer }> {
  return new Promise((done, failed) => {
    const received = new Uint8Array(sockets.length);
    let count = 0;
    const timer = setTimeout(() => {
      failed(new Error(`${sockets.length - count} of ${sockets.length} sockets had no TokenExpired frame`));
    }, TIMEOUT_MS);
    sockets.forEach((socket, i) => {
      socket.onNotification = (frame, receivedAt) => {
        const reason = (frame as { reason?: unknown }).reason;
        if (frame.type !== 'TokenExpired' || reason !== 'revoked' || received[i] === 1) {
          clearTimeout(timer);
          failed(new Error(`socket ${i} received ${JSON.stringify(frame)}`));
          return;
        }
        received[i] = 1;
        if (++count === sockets.length) {
          clearTimeout(timer);
          done({ last: receivedAt, frame });
        }
      };
    });
  });
}
