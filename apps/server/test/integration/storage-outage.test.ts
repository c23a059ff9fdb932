/**
 * A database at the edge, as an operator meets it: a node that cannot reach its database (PostgreSQL, MongoDB: a
 * closed port needs no server) refuses to start with one line; PostgreSQL going away mid-run (a TCP proxy the test
 * cuts or turns into a black hole, never the shared server) answers 503 with a Kuzzle error within the configured
 * bounds, without taking the node down, and service resumes by itself; a user creation cut halfway leaves no
 * half-created user.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createTcpProxy,
  createTestDatabase,
  startTestKernel,
  type TcpProxy,
  type TestDatabase,
  type TestKernel,
} from '@tessera/testing';
import { builtInPlugins } from '@tessera/server';

const MAIN = resolve(__dirname, '../../dist/main.js');
const PASSWORD = 'a long enough password';

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

/** Starts the built server with only these variables; resolves once it exits. */
function runServer(cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [MAIN],
      { cwd, timeout: 20_000, env: { PATH: process.env.PATH ?? '', tessera_server__port: '0', ...env } },
      (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a node whose database is unreachable', () => {
  const engines = [
    {
      engine: 'postgres',
      name: 'PostgreSQL',
      url: (port: number) => `postgres://tessera:s3cret@127.0.0.1:${port}/tessera`,
      masked: (port: number) => `postgres://tessera:***@127.0.0.1:${port}/tessera`,
      settings: {} as Record<string, string>,
    },
    {
      engine: 'mongodb',
      name: 'MongoDB',
      url: (port: number) => `mongodb://tessera:s3cret@127.0.0.1:${port}/tessera`,
      masked: (port: number) => `mongodb://tessera:***@127.0.0.1:${port}/tessera`,
      // The driver waits this long for a server to answer before giving up: kept short, the refusal comes sooner.
      settings: { tessera_storage__mongodb__connectionTimeout: '500' },
    },
  ];

  it.each(engines)(
    'on $name, refuses to start with one line naming the engine and the URL, password masked',
    async ({ engine, name, url, masked, settings }) => {
      const port = await closedPort();
      const cwd = mkdtempSync(join(tmpdir(), 'tessera-unreachable-'));
      try {
        const outcome = await runServer(cwd, {
          tessera_storage__engine: engine,
          [`tessera_storage__${engine}__url`]: url(port),
          ...settings,
        });
        expect(outcome.code).toBe(1);
        expect(outcome.stderr.split('\n')).toEqual([
          expect.stringMatching(
            new RegExp(
              `^tessera: cannot start: services\\.storage\\.cannot_connect: Cannot connect to ${name} at ` +
                `${escaped(masked(port))}: `,
            ),
          ),
          '',
        ]);
        expect(outcome.stdout + outcome.stderr).not.toContain('s3cret');
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});

describe('PostgreSQL lost mid-run', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestKernel;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  beforeEach(async () => {
    const url = new URL(database.url);
    proxy = await createTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: {
        storage: {
          engine: 'postgres',
          // Short bounds: a lost database answers within them.
          postgres: { url: url.toString(), connectionTimeout: 1000, statementTimeout: 2000 },
        },
      },
    });
  });
  afterEach(async () => {
    proxy.restore();
    await server.stop();
    await proxy.close();
  });

  async function query(body: Record<string, unknown>, jwt?: string) {
    const response = await fetch(`${server.url}/_query`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  const createUser = (id: string, username: string) =>
    query({
      controller: 'security',
      action: 'createUser',
      _id: id,
      body: {
        content: { profileIds: ['default'] },
        credentials: { local: { username, password: PASSWORD } },
      },
    });
  const getUser = (id: string) => query({ controller: 'security', action: 'getUser', _id: id });
  const login = (username: string) =>
    query({ controller: 'auth', action: 'login', strategy: 'local', body: { username, password: PASSWORD } });

  it('answers 503 with a Kuzzle error while it is away, then serves again by itself', async () => {
    expect((await createUser('alice', 'alice')).status).toBe(200);
    const { body: session } = await login('alice');
    const jwt = session['result']?.jwt as string;

    proxy.cut();
    const searched = await query({ controller: 'security', action: 'searchUsers', body: {} });
    for (const answer of [searched, await login('alice'), await createUser('carol', 'carol')]) {
      expect(answer.status).toBe(503);
      expect(answer.body['error']).toMatchObject({
        status: 503,
        id: 'services.storage.not_connected',
        code: 0x01010018,
        message: 'Storage service is not connected.',
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/stack|ECONNRESET|terminated/i);
    }
    const health = await fetch(`${server.url}/_healthcheck`);
    expect(health.status).toBe(503);

    proxy.restore();
    expect((await query({ controller: 'security', action: 'searchUsers', body: {} })).status).toBe(200);
    expect((await getUser('carol')).status).toBe(404);
    expect((await login('alice')).status).toBe(200);
    const me = await query({ controller: 'auth', action: 'getCurrentUser' }, jwt);
    expect(me.status).toBe(200);
    expect(me.body['result']._id).toBe('alice');
    expect((await fetch(`${server.url}/_healthcheck`)).status).toBe(200);
  });

  it('answers 503 with a Kuzzle error, not a hang, when the network to it goes silent, then serves again', async () => {
    expect((await createUser('dave', 'dave')).status).toBe(200);
    expect((await login('dave')).status).toBe(200);

    // Connections stay open and new ones are accepted, but nothing comes back: no reset, no refusal. Only the
    // configured bounds end a call; without them these requests would hang, and jest's timeout would fail the test.
    proxy.blackHole();
    const searched = await query({ controller: 'security', action: 'searchUsers', body: {} });
    for (const answer of [searched, await login('dave')]) {
      expect(answer.status).toBe(503);
      expect(answer.body['error']).toMatchObject({
        status: 503,
        id: 'services.storage.not_connected',
        code: 0x01010018,
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/stack|timeout/i);
    }
    expect((await fetch(`${server.url}/_healthcheck`)).status).toBe(503);
    // The requests did reach the proxy and were swallowed there: the silence, not a refusal, was tested.
    expect(proxy.refused).toBeGreaterThan(0);

    proxy.restore();
    expect((await query({ controller: 'security', action: 'searchUsers', body: {} })).status).toBe(200);
    expect((await login('dave')).status).toBe(200);
  });

  it('leaves no half-created user when it goes away between the user and its credentials', async () => {
    // The user document is written, then the credentials: the database goes away at the credentials' insert.
    proxy.cutWhen('"plugin:auth-local/credentials" (id, version, body) VALUES');
    const cut = await createUser('bob', 'bob');
    expect(proxy.refused).toBeGreaterThan(0);
    expect(cut.status).toBe(503);
    expect(cut.body['error']).toMatchObject({ id: 'services.storage.not_connected' });

    proxy.restore();
    // The node undoes the user document as soon as the database is back: no user without credentials remains.
    await eventually(async () => expect((await getUser('bob')).status).toBe(404));
    expect((await createUser('bob', 'bob')).status).toBe(200);
    expect((await login('bob')).status).toBe(200);
  });
});

/** Retries `check` until it passes (the test's timeout bounds it). */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await check();
      return;
    } catch (error) {
      if (attempt === 200) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}
