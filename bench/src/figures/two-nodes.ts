/**
 * Two nodes: authenticated `server:now` over HTTP through two server processes sharing PostgreSQL and Redis
 * (half the connections on each), against the same load on one of them; and how long after a global logout is
 * sent to one node the other refuses the token. Both nodes share the machine's cores with each other and with
 * the load generator, so the throughput ratio shows what a second node costs here, not how a cluster scales on
 * machines of its own.
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { http, login, setUpAccounts, USER } from '../client';
import { alternate, type Mode } from '../mode';
import { createBenchDatabase } from '../postgres';
import { startServer, type Child } from '../processes';
import { figure, paired, type Figure } from '../report';
import { median } from '../stats';

const CONNECTIONS = 32;
const LOGOUTS = 10;
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export async function twoNodeFigures(mode: Mode): Promise<Figure[]> {
  const database = await createBenchDatabase();
  const children: Child[] = [];
  try {
    const config = {
      storage__engine: 'postgres',
      storage__postgres__url: database.url,
      cluster__redis__url: REDIS_URL,
      cluster__redis__prefix: `tessera-bench:${randomUUID()}:`,
      security__login__attemptsPerAddress: '0',
      security__login__attemptsPerUsername: '0',
    };
    const a = await startServer({ config });
    children.push(a);
    const b = await startServer({ config });
    children.push(b);
    const { userJwt } = await setUpAccounts(a.url);
    const auth = { authorization: `Bearer ${userJwt}` };

    const through = async (urls: readonly string[], seconds: number): Promise<number> => {
      const results = await Promise.all(
        urls.map((url) =>
          autocannon({
            url: `${url}/_now`,
            headers: auth,
            connections: CONNECTIONS / urls.length,
            duration: seconds,
          }),
        ),
      );
      const failed = results.reduce((sum, result) => sum + result.non2xx + result.errors, 0);
      if (failed > 0) throw new Error(`two nodes: ${failed} failed requests`);
      return results.reduce((sum, result) => sum + result['2xx'] / (result.duration || seconds), 0);
    };
    await through([a.url, b.url], mode.warmupSeconds);
    const runs = await alternate(
      mode,
      () => through([a.url, b.url], mode.phaseSeconds),
      () => through([a.url], mode.phaseSeconds),
    );

    // A global logout on A, then the token on B: B must refuse it (anything else is a bug, not a figure).
    const delays: number[] = [];
    for (let i = 0; i < LOGOUTS; i++) {
      const { jwt } = await login(a.url, USER);
      await http(b.url, 'GET', '/_me', { jwt });
      const sent = performance.now();
      await http(a.url, 'POST', '/_logout?global=true', { jwt });
      const refused = await fetch(`${b.url}/_me`, { headers: { authorization: `Bearer ${jwt}` } });
      if (refused.status !== 401) throw new Error(`B answered ${refused.status} to a revoked token`);
      delays.push(performance.now() - sent);
    }

    return [
      figure({
        id: 'cluster.now.http.throughput',
        label: 'server:now, HTTP, user token, two nodes (PostgreSQL + Redis)',
        unit: 'req/s',
        ...paired(runs),
        baselineLabel: 'one of the two nodes, same load',
        details: {
          connections: CONNECTIONS,
          rounds: mode.rounds,
          phaseSeconds: mode.phaseSeconds,
          twoNodes: runs.tessera.map(Math.round),
          oneNode: runs.baseline.map(Math.round),
        },
      }),
      figure({
        id: 'cluster.revocation.delay',
        label: 'Global logout on A, then refused on B (logout round trip included)',
        unit: 'ms',
        value: median(delays),
        baseline: null,
        baselineLabel: '-',
        goal: { on: 'value', op: '<=', limit: 100 },
        details: { samples: delays.length, max: Math.max(...delays) },
      }),
    ];
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await database.drop();
  }
}
