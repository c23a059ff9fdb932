/**
 * Login: logins per second over HTTP with the local strategy (`POST /_login/local`), against bcrypt.compare
 * alone at the same cost and concurrency, through bcrypt's async API (libuv's thread pool) as the server does.
 * The login throttle is off for this server only: it exists to stop exactly this load.
 */
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';
import { USER, setUpAccounts } from '../client';
import { alternate, type Mode } from '../mode';
import { startServer } from '../processes';
import { figure, type Figure } from '../report';
import { median } from '../stats';

/** auth-local's default `bcryptCost`: the server under bench runs with it. */
const BCRYPT_COST = 10;

export async function loginFigures(mode: Mode): Promise<Figure[]> {
  const concurrency = 2 * mode.cores;
  // Whole seconds (autocannon's ticks), and more than the other phases: a few dozen logins a second make short
  // phases coarse. 2 s (about 65 logins) rather than 3: the full run's 10 minutes leave no more.
  const seconds = mode.quick ? 1 : 2;
  const hash = await bcrypt.hash(USER.password, BCRYPT_COST);
  const server = await startServer({
    config: { security__login__attemptsPerAddress: '0', security__login__attemptsPerUsername: '0' },
  });
  try {
    await setUpAccounts(server.url);
    const logins = async (duration: number): Promise<number> => {
      const result = await autocannon({
        url: `${server.url}/_login/local`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: USER.username, password: USER.password }),
        connections: concurrency,
        duration,
      });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`login: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      }
      return result['2xx'] / (result.duration || duration);
    };
    const compares = (duration: number) => comparesPerSecond(hash, concurrency, duration);
    await logins(mode.warmupSeconds);
    await compares(mode.warmupSeconds);
    const runs = await alternate(
      mode,
      () => logins(seconds),
      () => compares(seconds),
    );
    return [
      figure({
        id: 'login.throughput',
        label: 'Login, local strategy over HTTP',
        unit: 'logins/s',
        value: median(runs.tessera),
        baseline: median(runs.baseline),
        baselineLabel: `bcrypt.compare, cost ${BCRYPT_COST}`,
        goal: { on: 'ratio', op: '>=', limit: 0.85 },
        details: {
          concurrency,
          bcryptCost: BCRYPT_COST,
          phaseSeconds: seconds,
          loginsPerSecond: runs.tessera,
          comparesPerSecond: runs.baseline,
        },
      }),
    ];
  } finally {
    await server.stop();
  }
}

/** `concurrency` compares in flight at all times for `seconds`, per second. */
async function comparesPerSecond(hash: string, concurrency: number, seconds: number): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (!(await bcrypt.compare(USER.password, hash))) throw new Error('bcrypt.compare refused');
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}
