/**
 * The login throttle and lockout count the username the strategy actually authenticates, wherever the request
 * put it: the body, the top level of a WebSocket frame (passport-local reads its query, which is where a frame's
 * arguments land), or a mix of both. Passwords never travel in a URL. kuzzle-sdk, which sends credentials in the
 * body over both protocols, keeps working.
 */
import { Http, Kuzzle, WebSocket as SdkWebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { JSON_BODY, httpCall, openRawSocket, type RawSocket } from '../wire';

const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';

let server: TestKernel;
let socket: RawSocket;

async function createAlice(): Promise<void> {
  const { status } = await httpCall(server.url, '/users/_create?_id=alice', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'alice', password: PASSWORD } },
    }),
  });
  expect(status).toBe(200);
}

const login = (frame: Record<string, unknown>) =>
  socket.query({ controller: 'auth', action: 'login', strategy: 'local', ...frame });

describe('a locked account stays locked, whichever way the credentials come', () => {
  beforeEach(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: {
        security: {
          login: { lockoutThreshold: 2, attemptsPerAddress: 0, attemptsPerUsername: 0 },
        },
      },
    });
    await createAlice();
    socket = await openRawSocket(server.port);
    // Two failures through the body, as kuzzle-sdk sends them: alice is locked.
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await login({ body: { username: 'alice', password: WRONG } })).status).toBe(401);
    }
    expect((await login({ body: { username: 'alice', password: PASSWORD } })).error).toMatchObject({
      id: 'security.user.locked',
      status: 403,
    });
  });

  afterEach(async () => {
    socket.close();
    await server.stop();
  });

  it('refuses a WebSocket frame with the credentials beside controller', async () => {
    const answer = await login({ username: 'alice', password: PASSWORD });
    expect(answer.error).toMatchObject({ id: 'security.user.locked', status: 403 });
    expect(answer.result).toBeNull();
  });

  it('refuses a frame whose body names nobody and whose top level names alice', async () => {
    // passport-local reads the body first and falls back to the top level on an empty or missing value.
    for (const body of [{ username: '', password: '' }, { username: { nested: 'x' } }, {}]) {
      const answer = await login({ body, username: 'alice', password: PASSWORD });
      expect(answer.error).toMatchObject({ id: 'security.user.locked' });
    }
  });

  it('refuses the credentials in the query string of POST /_login/local, with no body', async () => {
    const answer = await httpCall(
      server.url,
      `/_login/local?username=alice&password=${encodeURIComponent(PASSWORD)}`,
      { method: 'POST' },
    );
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ id: 'network.http.secret_in_url', props: ['password'] });
    expect(answer.json.result).toBeNull();
  });

  it('refuses GET /_login/local with the credentials in the URL', async () => {
    const answer = await httpCall(
      server.url,
      `/_login/local?username=alice&password=${encodeURIComponent(PASSWORD)}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.json.error.id).toBe('network.http.secret_in_url');
  });

  it('counts a username in the URL of an HTTP login against the same account', async () => {
    const answer = await httpCall(server.url, '/_login/local?username=alice', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(answer.json.error).toMatchObject({ id: 'security.user.locked' });
  });

  it('refuses kuzzle-sdk over both protocols while the lock lasts', async () => {
    for (const protocol of [
      new Http('127.0.0.1', { port: server.port }),
      new SdkWebSocket('127.0.0.1', { port: server.port }),
    ]) {
      const kuzzle = new Kuzzle(protocol);
      await kuzzle.connect();
      await expect(
        kuzzle.auth.login('local', { username: 'alice', password: PASSWORD }),
      ).rejects.toMatchObject({
        id: 'security.user.locked',
      });
      kuzzle.disconnect();
    }
  });
});

describe('failures through the top level of a frame lock the account too', () => {
  beforeEach(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: {
        security: { login: { lockoutThreshold: 3, attemptsPerAddress: 0, attemptsPerUsername: 0 } },
      },
    });
    await createAlice();
    socket = await openRawSocket(server.port);
  });

  afterEach(async () => {
    socket.close();
    await server.stop();
  });

  it('locks alice after failures that mixed the body and the top level', async () => {
    expect((await login({ username: 'alice', password: WRONG })).status).toBe(401);
    expect((await login({ body: { username: 'alice', password: WRONG } })).status).toBe(401);
    expect((await login({ body: { username: '' }, username: 'alice', password: WRONG })).status).toBe(401);
    const kuzzle = new Kuzzle(new SdkWebSocket('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await expect(
        kuzzle.auth.login('local', { username: 'alice', password: PASSWORD }),
      ).rejects.toMatchObject({
        id: 'security.user.locked',
      });
    } finally {
      kuzzle.disconnect();
    }
  });
});

describe('the per-username budget', () => {
  beforeEach(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 2 } } },
    });
    await createAlice();
    socket = await openRawSocket(server.port);
  });

  afterEach(async () => {
    socket.close();
    await server.stop();
  });

  it('is spent by attempts that name the user at the top level of a frame', async () => {
    expect((await login({ username: 'alice', password: WRONG })).status).toBe(401);
    expect((await login({ username: 'alice', password: WRONG })).status).toBe(401);
    const answer = await login({ body: { username: 'alice', password: PASSWORD } });
    expect(answer.error).toMatchObject({ id: 'api.process.too_many_logins_requests', status: 429 });
  });
});

describe('passwords in URLs', () => {
  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('are refused on every route, whatever the key says about the password', async () => {
    for (const [method, path] of [
      ['PUT', '/_me/credentials/local/_update?currentPassword=hunter2'],
      ['POST', '/_query?Password=hunter2'],
      ['GET', '/_now?newPassword=hunter2'],
    ] as const) {
      const answer = await httpCall(server.url, path, { method });
      expect(answer.status).toBe(400);
      expect(answer.json.error.id).toBe('network.http.secret_in_url');
      expect(JSON.stringify(answer.json)).not.toContain('hunter2');
    }
  });
});

describe('legitimate logins', () => {
  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
    await createAlice();
  });

  afterAll(async () => {
    await server.stop();
  });

  it.each([
    ['Http', () => new Http('127.0.0.1', { port: server.port })],
    ['WebSocket', () => new SdkWebSocket('127.0.0.1', { port: server.port })],
  ])('log in with kuzzle-sdk over %s', async (_name, protocol) => {
    const kuzzle = new Kuzzle(protocol());
    await kuzzle.connect();
    try {
      const jwt = await kuzzle.auth.login('local', { username: 'alice', password: PASSWORD });
      expect(jwt).toMatch(/^kauth-/);
    } finally {
      kuzzle.disconnect();
    }
  });
});
