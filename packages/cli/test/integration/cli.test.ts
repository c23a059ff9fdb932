/**
 * The built `tessera` command against a real server: the product docs' commands, one-line errors, and a
 * realtime subscription stopped with Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { TESSERA_MAIN, cleanEnv, runCommand, type Outcome } from '../fixtures/run-command';

// The product docs' (kourou's) examples, as they are written.
const CREATE_MY =
  '{ content: { profileIds: ["default"] }, credentials: { local: { username: "my", password: "password" } } }';
const CREATE_MYLEHUONG =
  '{ content: { profileIds: ["default"] }, credentials: { local: { username: "mylehuong", password: "password" } } }';
const LOGIN_BODY = '{ username: "mylehuong", password: "password" }';

let server: TestKernel;

/**
 * Runs the built command with TESSERA_* cleared and no saved session (`tessera login`'s file lives under
 * XDG_CONFIG_HOME), so the developer's environment cannot leak in.
 */
function tessera(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const noSessions = path.join(tmpdir(), 'tessera-cli-test-no-sessions');
  return runCommand(process.execPath, [TESSERA_MAIN, ...args], {
    env: cleanEnv({ XDG_CONFIG_HOME: noSessions, ...env }),
    timeout: 20_000,
  });
}
const local = (args: string[]) => tessera([...args, '--host', '127.0.0.1', '--port', String(server.port)]);

function expectOneErrorLine(outcome: Outcome, pattern: RegExp) {
  expect(outcome.code).toBe(1);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr.split('\n')).toEqual([expect.stringMatching(pattern), '']);
}

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeEach(async () => {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } } },
  });
});
afterEach(async () => {
  await server.stop();
});

describe('the product docs commands', () => {
  it('creates a user with a given kuid from a relaxed JSON body', async () => {
    const outcome = await local(['security:createUser', CREATE_MY, '--id', 'mylehuong']);
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toMatchObject({
      _id: 'mylehuong',
      _source: { profileIds: ['default'] },
    });
    expect(outcome.stdout).toContain('\n  "_id": "mylehuong"');
  });

  it('creates a user with a generated kuid, logs it in and reads its credentials', async () => {
    const created = await local(['security:createUser', CREATE_MYLEHUONG, '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout.trim().split('\n')).toHaveLength(1);
    const kuid = JSON.parse(created.stdout)._id as string;
    expect(kuid).toMatch(/\S/);
    expect(kuid).not.toBe('mylehuong');

    const login = await local(['auth:login', '-a', 'strategy=local', '--body', LOGIN_BODY]);
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(login.stdout)).toMatchObject({
      _id: kuid,
      jwt: expect.any(String),
      ttl: expect.any(Number),
    });

    const credentials = await local(['security:getCredentials', '-a', 'strategy=local', '--id', kuid]);
    expect(credentials).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(credentials.stdout)).toMatchObject({ username: 'mylehuong' });
  });

  it('reads the credentials of the user created with --id mylehuong', async () => {
    await local(['security:createUser', CREATE_MY, '--id', 'mylehuong']);
    const credentials = await local(['security:getCredentials', '-a', 'strategy=local', '--id', 'mylehuong']);
    expect(credentials).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(credentials.stdout)).toMatchObject({ username: 'my' });
  });

  it('logs in first with --username/--password, or with TESSERA_USERNAME/TESSERA_PASSWORD', async () => {
    await local(['security:createUser', CREATE_MYLEHUONG, '--id', 'someone']);
    const flags = await local(['auth:getCurrentUser', '--username', 'mylehuong', '--password', 'password']);
    expect(flags).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(flags.stdout)).toMatchObject({ _id: 'someone' });

    const env = await tessera(['auth:getCurrentUser', '--json'], {
      TESSERA_HOST: '127.0.0.1',
      TESSERA_PORT: String(server.port),
      TESSERA_PROTOCOL: 'http',
      TESSERA_USERNAME: 'mylehuong',
      TESSERA_PASSWORD: 'password',
    });
    expect(env).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(env.stdout)).toMatchObject({ _id: 'someone' });
  });

  it('prints the document server:openapi answers over either protocol (raw over HTTP, as Kuzzle)', async () => {
    for (const protocol of ['http', 'websocket']) {
      const outcome = await local(['server:openapi', '--protocol', protocol, '--json']);
      expect(outcome).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(outcome.stdout)).toMatchObject({ openapi: '3.1.0', paths: expect.any(Object) });
    }
  });

  it('lists a controller actions from the server with <controller> --help', async () => {
    const outcome = await local(['auth', '--help']);
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(/^ {2}auth:login\b/m);
    expect(outcome.stdout).toMatch(/^ {2}auth:getCurrentUser\b/m);
  });
});

describe('--as', () => {
  it('acts as another user where the caller may create API keys, and leaves no key behind', async () => {
    expect((await local(['security:createUser', CREATE_MY, '--id', 'mylehuong'])).code).toBe(0);
    const outcome = await local(['auth:getCurrentUser', '--as', 'mylehuong']);
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toMatchObject({ _id: 'mylehuong' });
    const keys = await local(['security:searchApiKeys', '-a', 'userId=mylehuong']);
    expect(JSON.parse(keys.stdout)).toMatchObject({ total: 0 });
  });

  it('is refused to a caller without the right', async () => {
    const admin = '{ content: {}, credentials: { local: { username: "admin", password: "password" } } }';
    expect(
      (await local(['security:createFirstAdmin', admin, '--id', 'admin', '-a', 'reset=true'])).code,
    ).toBe(0);
    await local([
      'security:createUser',
      CREATE_MY,
      '--id',
      'mylehuong',
      '--username',
      'admin',
      '--password',
      'password',
    ]);
    const outcome = await local([
      'auth:getCurrentUser',
      '--as',
      'admin',
      '--username',
      'my',
      '--password',
      'password',
    ]);
    expectOneErrorLine(outcome, /^tessera: security\.rights\.forbidden: /);
  });
});

describe('errors: one line on stderr and exit code 1', () => {
  beforeEach(async () => {
    await local(['security:createUser', CREATE_MYLEHUONG, '--id', 'mylehuong']);
  });

  it('wrong password', async () => {
    const outcome = await local([
      'auth:login',
      '-a',
      'strategy=local',
      '--body',
      '{ username: "mylehuong", password: "wrong" }',
    ]);
    expectOneErrorLine(outcome, /^tessera: [\w.]+: wrong username or password$/);
  });

  it('unknown action', async () => {
    expectOneErrorLine(await local(['security:flyToTheMoon']), /^tessera: api\.[\w.]+: .*flyToTheMoon/);
  });

  it('bad JSON', async () => {
    expectOneErrorLine(
      await local(['security:createUser', '{ content: ', '--id', 'x']),
      /^tessera: invalid JSON in the body: /,
    );
  });

  it('unreachable server', async () => {
    const port = String(await closedPort());
    expectOneErrorLine(
      await tessera(['server:now', '--host', '127.0.0.1', '--port', port]),
      new RegExp(`^tessera: cannot reach 127\\.0\\.0\\.1:${port} `),
    );
  });
});

describe('realtime:subscribe', () => {
  it('prints a published message as one JSON line, then stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [
      TESSERA_MAIN,
      'realtime:subscribe',
      'shop',
      'orders',
      '{ equals: { kind: "order" } }',
      '--host',
      '127.0.0.1',
      '--port',
      String(server.port),
    ]);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        const poll = () => (check() ? resolve() : setTimeout(poll, 20));
        poll();
      });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await waitFor(() => stderr.includes('subscribed'));

    const publisher = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await publisher.connect();
    await publisher.realtime.publish('shop', 'orders', { kind: 'other' });
    await publisher.realtime.publish('shop', 'orders', { kind: 'order', n: 1 });
    publisher.disconnect();
    await waitFor(() => stdout.includes('\n'));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      index: 'shop',
      collection: 'orders',
      result: { _source: { kind: 'order', n: 1 } },
    });
    expect(stderr).not.toMatch(/error/i);
  });
});
