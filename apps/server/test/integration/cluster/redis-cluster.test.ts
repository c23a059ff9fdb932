/**
 * The two-node behaviour on two real server processes sharing a fresh PostgreSQL database and Redis (a key
 * prefix and channel names of each test's own), then what a node does when its Redis goes away mid-run (a
 * private redis-server, stopped and started again by the test).
 */
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { describeTwoNodeCluster, http, login, user } from './cluster-behaviour';
import {
  merge,
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
    const config = { ...nodeConfig(database, SHARED_REDIS_URL, testPrefix()) };
    const started: ServerProcess[] = [];
    const stop = async () => {
      await Promise.all(started.map((node) => node.stop()));
      await database.drop();
    };
    try {
      // One after the other: the first creates the schema and the security documents.
      for (let i = 0; i < 2; i++) started.push(await startServerProcess(merge(config, overrides)));
    } catch (error) {
      await stop();
      throw error;
    }
    return { portA: started[0]?.port ?? 0, portB: started[1]?.port ?? 0, stop };
  });
});

describe('a node whose Redis goes away', () => {
  let database: TestDatabase | null = null;
  let redis: PrivateRedis | null = null;
  let node: ServerProcess | null = null;

  afterEach(async () => {
    await node?.stop();
    await redis?.remove();
    await database?.drop();
  });

  it('refuses tokens with 503 while Redis is away, keeps serving the rest, and recovers by itself', async () => {
    database = await createTestDatabase();
    redis = await startPrivateRedis();
    node = await startServerProcess({
      ...nodeConfig(database, redis.url, testPrefix()),
      cluster: { redis: { url: redis.url, prefix: testPrefix(), connectTimeout: 1000 } },
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    });
    const { port } = node;
    const admin = await http(port);
    await admin.security.createUser('ada', user('ada'));
    const jwt = await login(port, 'ada');
    const ada = await http(port, jwt);
    expect((await ada.auth.getCurrentUser())._id).toBe('ada');

    await redis.stop();
    // Until the node notices, it may still answer from its cache (at most stalenessBound); then it refuses.
    let answer = await tryCurrentUser(port, jwt);
    while (answer.status === 200) answer = await tryCurrentUser(port, jwt);
    expect(answer).toEqual({ status: 503, id: 'services.cluster.not_connected' });
    expect(typeof (await (await http(port)).server.now({}))).toBe('number');
    const health = await fetch(`http://127.0.0.1:${port}/_healthcheck`);
    expect(health.status).toBe(503);

    await redis.start();
    while (answer.status !== 200) answer = await tryCurrentUser(port, jwt);
    expect(answer).toEqual({ status: 200, id: 'ada' });
    expect((await fetch(`http://127.0.0.1:${port}/_healthcheck`)).status).toBe(200);
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

async function tryCurrentUser(port: number, jwt: string): Promise<{ status: number; id: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/_me`, {
    headers: { authorization: `Bearer ${jwt}` },
  });
  const body = (await response.json()) as { result?: { _id: string }; error?: { id: string } };
  return { status: response.status, id: body.result?._id ?? body.error?.id ?? '' };
}
