/**
 * Login: logins per second over HTTP with the local strategy (`POST /_login/local`), against bcrypt.compare
 * alone at the same cost and concurrency, through bcrypt's async API (libuv's thread pool) as the server does.
 * The login throttle is off for this server only: it exists to stop exactly this load.
 */
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';
import { USER, forEachLimited, loginsPerSecond, setUpAccounts } from '../client';
import { alternate, type Mode } from '../mode';
import { startServer } from '../processes';
import { figure, paired, type Figure } from '../report';

/** auth-local's default `bcryptCost`: the server under bench runs with it. */
const BCRYPT_COST = 10;

export async function loginFigures(mode: Mode): Promise<Figure[]> {
  const concurrency = 2 * mode.cores;
  // A number of logins per phase rather than a duration: some 30 a second make a short phase coarse, and a
  // count ends with the last answer rather than on a tick. 48 is about 1.5 s here, as the other phases; the
  // warm-up is one phase more.
  const perPhase = mode.quick ? 32 : 48;
  const hash = await bcrypt.hash(USER.password, BCRYPT_COST);
  const server = await startServer({
    config: { security__login__attemptsPerAddress: '0', security__login__attemptsPerUsername: '0' },
  });
  try {
    await setUpAccounts(server.url);
    const logins = (amount: number) => loginsPerSecond(server.url, concurrency, amount);
    const compares = (amount: number) => comparesPerSecond(hash, concurrency, amount);
    await logins(perPhase);
    await compares(perPhase);
    const runs = await alternate(
      mode,
      () => logins(perPhase),
      () => compares(perPhase),
    );
    return [
      figure({
        id: 'login.throughput',
        label: 'Login, local strategy over HTTP',
        unit: 'logins/s',
        ...paired(runs),
        baselineLabel: `bcrypt.compare, cost ${BCRYPT_COST}`,
        goal: { on: 'ratio', op: '>=', limit: 0.85 },
        details: {
          concurrency,
          bcryptCost: BCRYPT_COST,
          loginsPerPhase: perPhase,
          loginsPerSecond: runs.tessera,
          comparesPerSecond: runs.baseline,
        },
      }),
    ];
  } finally {
    await server.stop();
  }
}

/** `amount` compares, `concurrency` at a time, per second. */
async function comparesPerSecond(hash: string, concurrency: number, amount: number): Promise<number> {
  const started = performance.now();
  await forEachLimited(amount, concurrency, async () => {
    if (!(await bcrypt.compare(USER.password, hash))) throw new Error('bcrypt.compare refused');
  });
  return amount / ((performance.now() - started) / 1000);
}
