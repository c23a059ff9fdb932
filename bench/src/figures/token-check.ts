/**
 * Token check, in process: the funnel's authorize step (token -> record -> user -> rights -> request budget),
 * built from the kernel's own parts over the store a real server left behind, against a bare
 * `jsonwebtoken.verify` of the same token with the same key. Microseconds per check, sequential.
 */
import { createSecretKey } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { verify } from 'jsonwebtoken';
import {
  ActionRegistry,
  RequestRateLimiter,
  SecurityRepository,
  TokenManager,
  createEventBus,
  createSilentLogger,
  createStorageNamespace,
  createTokenAuthorizer,
  loadConfig,
  requestFromEnvelope,
  type Request,
} from '@tessera/kernel';
import { createLocalBus, createOneNodePorts } from '@tessera/cluster';
import type { ConnectionInfo } from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { setUpAccounts } from '../client';
import type { Mode } from '../mode';
import { scratchDir, startServer } from '../processes';
import { figure, paired, type Figure } from '../report';

export async function tokenCheckFigures(mode: Mode): Promise<Figure[]> {
  const checksPerRound = mode.quick ? 5_000 : 20_000;
  const rounds = mode.quick ? 3 : 7;
  // A real server creates the store, the standard rights, the user and its token; then it stops.
  const server = await startServer();
  let userJwt: string;
  try {
    userJwt = (await setUpAccounts(server.url)).userJwt;
  } finally {
    await server.stop();
  }

  const config = loadConfig({ env: {}, cwd: scratchDir('config'), overrides: {} });
  const log = createSilentLogger();
  const store = createSqliteStore({ path: server.sqlitePath });
  await store.open();
  try {
    const namespace = createStorageNamespace(store, 'kernel');
    const { tokenStore, limiters } = createOneNodePorts(store);
    const tokens = new TokenManager({
      namespace,
      store: tokenStore,
      config: config.security.jwt,
      bus: createEventBus(log),
      log,
    });
    await tokens.init();
    const accounts = await SecurityRepository.open({
      storage: namespace,
      registry: new ActionRegistry(),
      log,
      clusterBus: createLocalBus(),
      bus: createEventBus(log),
    });
    const authorizer = createTokenAuthorizer(tokens, accounts, new RequestRateLimiter(limiters), {
      enabled: config.security.cookieAuthentication,
      allowOrigins: config.server.cors.allowOrigin,
    });
    // The secret the server generated and stored; the same KeyObject form the kernel's codec verifies with.
    const secrets = await namespace.collection<{ seed: string }>('config');
    const seed = (await secrets.get('jwt-secret'))?._source.seed;
    if (seed === undefined) throw new Error('no stored jwt secret');
    const key = createSecretKey(Buffer.from(seed, 'utf8'));
    const bareJwt = userJwt.slice('kauth-'.length);

    const connection: ConnectionInfo = Object.freeze({
      id: 'bench',
      protocol: 'http',
      address: '127.0.0.1',
      ips: Object.freeze(['127.0.0.1']),
      headers: Object.freeze({}),
    });
    // Requests are built before the clock starts: parsing an envelope is not part of the check.
    const requests = (): Request[] =>
      Array.from({ length: checksPerRound }, () =>
        requestFromEnvelope({ controller: 'server', action: 'now', jwt: userJwt }, connection),
      );

    const kernelRound = async (): Promise<number> => {
      const batch = requests();
      const start = performance.now();
      for (const request of batch) await authorizer.authorize(request);
      const elapsed = performance.now() - start;
      if (batch[batch.length - 1]?.user?._id !== 'bench-user')
        throw new Error('the check did not resolve the user');
      return (elapsed * 1000) / checksPerRound;
    };
    const bareRound = (): number => {
      const start = performance.now();
      for (let i = 0; i < checksPerRound; i++) verify(bareJwt, key, { algorithms: ['HS256'] });
      return ((performance.now() - start) * 1000) / checksPerRound;
    };

    // Warm-up, then alternating rounds, so that a burst of noise from the machine hits both sides alike.
    await kernelRound();
    bareRound();
    const kernel: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < rounds; round++) {
      kernel.push(await kernelRound());
      bare.push(bareRound());
    }
    return [
      figure({
        id: 'token.check',
        label: 'Token check + rights, in process',
        unit: 'µs',
        ...paired({ tessera: kernel, baseline: bare }),
        baselineLabel: 'jsonwebtoken.verify',
        goal: { on: 'ratio', op: '<=', limit: 2 },
        details: { checksPerRound, rounds, kernelRoundsUs: kernel, bareRoundsUs: bare },
      }),
    ];
  } finally {
    await store.close();
  }
}
