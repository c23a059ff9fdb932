/**
 * The two-node behaviour on two real server processes sharing a fresh PostgreSQL database and Redis (a key
 * prefix and channel names of each test's own), then what a node does when its Redis goes away mid-run (a
 * private redis-server, stopped and started again by the test).
 */
import { createTestDatabase, mergeOverrides, type TestDatabase } from '@tessera/testing';
import { describeTwoNodeCluster, http, login, PASSWORD, user } from './cluster-behaviour';
import {
  SHARED_REDIS_URL,
  startPrivateRedis,
  startServerProcess,
  testPrefix,
  type PrivateRedis,
  type ServerProcess,
} from './server-processes';

function nodeConfig(database: TestDatabase, redisUrl: string, prefix: string) {
  return {
    storage: { engine: 'postgres', postgres: { url: database.url } },
    cluster: { redis: { url: redisUrl, prefix } },
  };
}

describe('two server processes on PostgreSQL and Redis', () => {
  describeTwoNodeCluster(async (overrides) => {
    const database = await createTestDatabase();
    const config = nodeConfig(database, SHARED_REDIS_URL, testPrefix());
    const started: ServerProcess[] = [];
    const stop = async () => {
      await Promise.all(started.map((node) => node.stop()));
      await database.drop();
    };
    try {
      // One after the other: the first creates the schema and the security documents.
      for (let i = 0; i < 2; i++) started.push(await startServerProcess(mergeOverrides(config, overrides)));
    } catch (error) {
      await stop();
      throw error;
    }
    return { portA: started[0]?.port ?? 0, portB: started[1]?.port ?? 0, stop };
  });
});

describe('a node whose Redis goes away', () => {
  let database: TestDatabase | null = null;
  let startedRedis: PrivateRedis | null = null;
  const nodes: ServerProcess[] = [];

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.stop()));
    await startedRedis?.remove();
    await database?.drop();
    startedRedis = null;
    database = null;
  });

  /** Nodes on one fresh database and one private Redis, with `stalenessBound` ms of grace each. */
  async function startNodes(
    count: number,
    stalenessBound: number,
  ): Promise<{ redis: PrivateRedis; nodes: ServerProcess[] }> {
    database = await createTestDatabase();
    const privateRedis = (startedRedis = await startPrivateRedis());
    const config = mergeOverrides(nodeConfig(database, privateRedis.url, testPrefix()), {
      cluster: { redis: { connectTimeout: 1000, stalenessBound } },
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    });
    // One after the other: the first creates the schema and the security documents.
    for (let i = 0; i < count; i++) nodes.push(await startServerProcess(config));
    return { redis: privateRedis, nodes: [...nodes] };
  }

  it('keeps accepting the tokens it cached, refuses the others with 503, and recovers by itself', async () => {
    // A bound far longer than the test: what is asserted during the outage cannot be its expiry.
    const {
      redis,
      nodes: [a, b],
    } = (await startNodes(2, 600_000)) as { redis: PrivateRedis; nodes: [ServerProcess, ServerProcess] };
    await (await http(a.port)).security.createUser('ada', user('ada'));
    const usedOnA = await login(a.port, 'ada');
    expect(await tryCurrentUser(a.port, usedOnA)).toEqual({ status: 200, id: 'ada' });
    // Issued by the other node: A has never read its record.
    const neverSeenOnA = await login(b.port, 'ada');

    await redis.stop();
    await lostRedis(a);
    expect(await tryCurrentUser(a.port, usedOnA)).toEqual({ status: 200, id: 'ada' });
    expect(await tryCurrentUser(a.port, neverSeenOnA)).toEqual(NOT_CONNECTED);
    expect(await tryLogin(a.port)).toEqual(NOT_CONNECTED);
    // Red during the grace period: the node cannot log anyone in nor check a token it has not cached.
    const health = await fetch(`http://127.0.0.1:${a.port}/_healthcheck`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { result: unknown }).result).toMatchObject({
      status: 'red',
      services: { internalCache: 'red' },
    });
    expect(typeof (await (await http(a.port)).server.now({}))).toBe('number');

    await redis.start();
    let answer = await tryCurrentUser(a.port, neverSeenOnA);
    while (answer.status !== 200) answer = await tryCurrentUser(a.port, neverSeenOnA);
    expect(answer).toEqual({ status: 200, id: 'ada' });
    expect(await tryCurrentUser(a.port, usedOnA)).toEqual({ status: 200, id: 'ada' });
    expect((await fetch(`http://127.0.0.1:${a.port}/_healthcheck`)).status).toBe(200);
  });

  it('refuses a cached token with 503 once its staleness bound has passed, and recovers by itself', async () => {
    const {
      redis,
      nodes: [a],
    } = (await startNodes(1, 1500)) as { redis: PrivateRedis; nodes: [ServerProcess] };
    await (await http(a.port)).security.createUser('ada', user('ada'));
    const jwt = await login(a.port, 'ada');
    expect(await tryCurrentUser(a.port, jwt)).toEqual({ status: 200, id: 'ada' });

    await redis.stop();
    await lostRedis(a);
    let answer = await tryCurrentUser(a.port, jwt);
    while (answer.status === 200) answer = await tryCurrentUser(a.port, jwt);
    expect(answer).toEqual(NOT_CONNECTED);

    await redis.start();
    while (answer.status !== 200) answer = await tryCurrentUser(a.port, jwt);
    expect(answer).toEqual({ status: 200, id: 'ada' });
  });

  it('refuses to start when Redis cannot be reached, with one line naming it, password masked', async () => {
    database = await createTestDatabase();
    const failure = await startServerProcess({
      ...nodeConfig(database, 'redis://user:hunter2-secret@127.0.0.1:1', testPrefix()),
      cluster: { redis: { url: 'redis://user:hunter2-secret@127.0.0.1:1', connectTimeout: 1000 } },
    }).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /tessera: cannot start: Cannot connect to Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/,
    );
    expect(failure).not.toContain('hunter2-secret');
  });
});

const NOT_CONNECTED = { status: 503, id: 'services.cluster.not_connected' };

/** Resolves once the node has logged that its subscription to Redis dropped (its grace period has begun). */
async function lostRedis(node: ServerProcess): Promise<void> {
  while (!node.output().stdout.includes('cluster bus lost Redis')) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function tryLogin(port: number): Promise<{ status: number; id: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/_login/local`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: PASSWORD }),
  });
  const body = (await response.json()) as { error?: { id: string } };
  return { status: response.status, id: body.error?.id ?? '' };
}

async function tryCurrentUser(port: number, jwt: string): Promise<{ status: number; id: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/_me`, {
    headers: { authorization: `Bearer ${jwt}` },
  });
  const body = (await response.json()) as { result?: { _id: string }; error?: { id: string } };
  return { status: response.status, id: body.result?._id ?? body.error?.id ?? '' };
}
