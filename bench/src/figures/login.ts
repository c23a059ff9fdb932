/**
 * Login: logins per second over HTTP with the local strategy (`POST /_login/local`), against bcrypt.compare
 * alone at the same cost and concurrency, through bcrypt's async API (libuv's thread pool) as the server does.
 * The login throttle is off for this server only: it exists to stop exactly this load.
 */
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import { USER, setUpAccounts } from '../client';
import type { Mode } from '../mode';
import { startServer } from '../processes';
import { figure, type Figure } from '../report';

/** auth-local's default `bcryptCost`: the server under bench runs with it. */
const BCRYPT_COST = 10;

export async function loginFigures(mode: Mode): Promise<Figure[]> {
  const concurrency = 2 * mode.cores;
  const baseline = await bcryptComparesPerSecond(concurrency, mode);

  const server = await startServer({
    config: { security__login__attemptsPerAddress: '0', security__login__attemptsPerUsername: '0' },
  });
  try {
    await setUpAccounts(server.url);
    const load = (seconds: number) =>
      autocannon({
        url: `${server.url}/_login/local`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: USER.username, password: USER.password }),
        connections: concurrency,
        duration: seconds,
      });
    await load(mode.warmupSeconds);
    const result = await load(mode.loadSeconds);
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`login: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    }
    const loginsPerSecond = result['2xx'] / (result.duration || mode.loadSeconds);
    return [
      figure({
        id: 'login.throughput',
        label: 'Login, local strategy over HTTP',
        unit: 'logins/s',
        value: loginsPerSecond,
        baseline: baseline,
        baselineLabel: `bcrypt.compare, cost ${BCRYPT_COST}`,
        goal: { on: 'ratio', op: '>=', limit: 0.85 },
        details: {
          concurrency,
          bcryptCost: BCRYPT_COST,
          seconds: mode.loadSeconds,
          logins: result['2xx'],
          p99LatencyMs: result.latency.p99,
        },
      }),
    ];
  } finally {
    await server.stop();
  }
}

/** `concurrency` compares in flight at all times for the load duration (after a warm-up), per second. */
async function bcryptComparesPerSecond(concurrency: number, mode: Mode): Promise<number> {
  const hash = await bcrypt.hash(USER.password, BCRYPT_COST);
  const run = async (seconds: number): Promise<number> => {
    const end = performance.now() + seconds * 1000;
    let done = 0;
    const worker = async () => {
      while (performance.now() < end) {
        if (!(await bcrypt.compare(USER.password, hash))) throw new Error('bcrypt.compare refused');
        done++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return done / ((performance.now() - start) / 1000);
  };
  await run(mode.warmupSeconds);
  return run(mode.loadSeconds);
}
