/**
 * The attacks issue 12 found already refused, kept refused: forged, unsigned, expired, revoked and reused tokens
 * sent in WebSocket frames (their HTTP forms are in ../auth.test.ts), injection through login and search bodies,
 * and privilege escalation through updateSelf, createRestrictedUser and a default user's rights. Prototype
 * pollution is in ../http-wire.test.ts and the envelope's unit tests; OAuth state forgery, replay and open
 * redirects in plugins/auth-oauth/test/integration/oauth.test.ts.
 */
import { createHmac } from 'node:crypto';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { JSON_BODY, httpCall, openRawSocket, type RawSocket } from '../wire';

const PASSWORD = 'correct horse battery';

let server: TestKernel;
let socket: RawSocket;
/** The server's clock runs this far ahead of the wall clock: a test moves time by moving it. */
let skew = 0;
let adminToken: string;

async function query(envelope: Record<string, unknown>, token?: string) {
  return httpCall(server.url, '/_query', {
    method: 'POST',
    headers: { ...JSON_BODY, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(envelope),
  });
}

async function login(username: string, password = PASSWORD, expiresIn?: string): Promise<string> {
  const query = expiresIn ? `?expiresIn=${expiresIn}` : '';
  const { status, json } = await httpCall(server.url, `/_login/local${query}`, {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({ username, password }),
  });
  expect(status).toBe(200);
  return json.result.jwt as string;
}

beforeAll(async () => {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    now: () => Date.now() + skew,
    // Many logins from one address: the throttle has its own tests (login-throttle-bypass.test.ts).
    overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } } },
  });
  const first = await httpCall(server.url, '/_createFirstAdmin?_id=admin', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({ content: {}, credentials: { local: { username: 'admin', password: PASSWORD } } }),
  });
  expect(first.status).toBe(200);
  adminToken = await login('admin');
  const mallory = await query(
    {
      controller: 'security',
      action: 'createUser',
      _id: 'mallory',
      body: {
        content: { profileIds: ['default'], name: 'Mallory' },
        credentials: { local: { username: 'mallory', password: PASSWORD } },
      },
    },
    adminToken,
  );
  expect(mallory.status).toBe(200);
  socket = await openRawSocket(server.port);
});

afterAll(async () => {
  socket.close();
  await server.stop();
});

afterEach(() => {
  skew = 0;
});

describe('tokens in WebSocket frames', () => {
  const segments = (token: string) => token.slice('kauth-'.length).split('.') as [string, string, string];
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const me = (jwt: string) => socket.query({ controller: 'auth', action: 'getCurrentUser', jwt });

  it('accepts a genuine token', async () => {
    expect(await me(await login('mallory'))).toMatchObject({ status: 200, result: { _id: 'mallory' } });
  });

  it('refuses an unsigned token (alg none) claiming to be the admin', async () => {
    const [, payload] = segments(await login('mallory'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const none = `kauth-${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, _id: 'admin' })}.`;
    expect(await me(none)).toMatchObject({ status: 401, error: { id: 'security.token.invalid' } });
  });

  it('refuses a token signed with another secret', async () => {
    const [header, payload] = segments(await login('mallory'));
    const signature = createHmac('sha256', 'guessed-secret')
      .update(`${header}.${payload}`)
      .digest('base64url');
    expect(await me(`kauth-${header}.${payload}.${signature}`)).toMatchObject({
      status: 401,
      error: { id: 'security.token.invalid' },
    });
  });

  it('refuses a genuine token whose payload was changed to another user', async () => {
    const [header, payload, signature] = segments(await login('mallory'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `kauth-${header}.${encode({ ...claims, _id: 'admin' })}.${signature}`;
    expect(await me(tampered)).toMatchObject({ status: 401, error: { id: 'security.token.invalid' } });
  });

  it('refuses an expired token', async () => {
    const token = await login('mallory', PASSWORD, '1m');
    skew = 60_001;
    expect(await me(token)).toMatchObject({ status: 401, error: { id: 'security.token.expired' } });
  });

  it('refuses a token after logout', async () => {
    const token = await login('mallory');
    expect((await query({ controller: 'auth', action: 'logout' }, token)).status).toBe(200);
    expect(await me(token)).toMatchObject({ status: 401, error: { id: 'security.token.invalid' } });
  });

  it('refuses a refreshed token reused after the grace period, and its successor with it', async () => {
    const original = await login('mallory');
    const refreshed = await socket.query({ controller: 'auth', action: 'refreshToken', jwt: original });
    const successor = refreshed.result.jwt as string;
    skew = server.config.security.jwt.gracePeriod + 1;
    expect(await me(original)).toMatchObject({ status: 401, error: { id: 'security.token.invalid' } });
    expect(await me(successor)).toMatchObject({ status: 401, error: { id: 'security.token.invalid' } });
  });
});

describe('injection through login and search bodies', () => {
  it.each([
    ['an operator object', { $ne: null }],
    ['an array', ['admin']],
  ])('refuses %s as a username, and logs nobody in', async (_, username) => {
    const { status, json } = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ username, password: { $ne: null } }),
    });
    expect([400, 401]).toContain(status);
    expect(json.result).toBeNull();
  });

  it.each(["admin' OR '1'='1", 'admin"--', 'adm%', 'ADMIN'])(
    'answers the username %j like any unknown one',
    async (username) => {
      const attempt = (name: string) =>
        httpCall(server.url, '/_login/local', {
          method: 'POST',
          headers: JSON_BODY,
          body: JSON.stringify({ username: name, password: PASSWORD }),
        });
      const [injected, unknown] = [await attempt(username), await attempt('nobody-by-that-name')];
      expect(injected.status).toBe(401);
      expect(injected.json.error).toEqual(unknown.json.error);
    },
  );

  it('refuses a NUL character in a username without a 5xx, on every engine', async () => {
    // SQLite stores it and finds nobody (401); PostgreSQL's text cannot hold it (400).
    const { status, json } = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ username: 'admin\u0000', password: PASSWORD }),
    });
    expect([400, 401]).toContain(status);
    expect(json.result).toBeNull();
  });

  it('matches an SQL fragment in a search value literally', async () => {
    const { status, json } = await query(
      {
        controller: 'security',
        action: 'searchUsers',
        body: { query: { bool: { should: [{ term: { name: "x' OR 1=1 --" } }, { match: { name: '%' } }] } } },
      },
      adminToken,
    );
    expect(status).toBe(200);
    expect(json.result.total).toBe(0);
  });

  it('refuses an SQL fragment in a field name with a 400', async () => {
    const { status, json } = await query(
      {
        controller: 'security',
        action: 'searchUsers',
        body: { query: { term: { 'name") OR 1=1 --': 'x' } } },
      },
      adminToken,
    );
    expect(status).toBe(400);
    expect(json.error.id).toBe('services.storage.invalid_field_path');
  });
});

describe('privilege escalation', () => {
  it.each([
    ['profileIds', { profileIds: ['admin'] }],
    ['_id', { _id: 'admin' }],
  ])('updateSelf refuses a body naming %s, and the user stays as they were', async (field, body) => {
    const token = await login('mallory');
    const { status, json } = await query({ controller: 'auth', action: 'updateSelf', body }, token);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ id: 'api.assert.forbidden_argument', props: [`body.${field}`] });
    const me = await query({ controller: 'auth', action: 'getCurrentUser' }, token);
    expect(me.json.result).toMatchObject({ _id: 'mallory', _source: { profileIds: ['default'] } });
  });

  it('createRestrictedUser refuses profileIds in the content, even from an admin', async () => {
    const { status, json } = await query(
      {
        controller: 'security',
        action: 'createRestrictedUser',
        _id: 'sneaky',
        body: {
          content: { profileIds: ['admin'] },
          credentials: { local: { username: 'sneaky', password: PASSWORD } },
        },
      },
      adminToken,
    );
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      id: 'api.assert.forbidden_argument',
      props: ['body.content.profileIds'],
    });
    expect(
      (await query({ controller: 'security', action: 'getUser', _id: 'sneaky' }, adminToken)).status,
    ).toBe(404);
  });

  it.each([
    [
      'create an admin',
      { action: 'createUser', _id: 'mallory2', body: { content: { profileIds: ['admin'] } } },
    ],
    [
      'give herself the admin profile',
      { action: 'updateUser', _id: 'mallory', body: { profileIds: ['admin'] } },
    ],
    [
      'loosen her own role',
      { action: 'updateRole', _id: 'default', body: { controllers: { '*': { actions: { '*': true } } } } },
    ],
    ['revoke the admin', { action: 'revokeTokens', _id: 'admin' }],
  ])('a default user cannot %s', async (_, envelope) => {
    const token = await login('mallory');
    const { status, json } = await query({ controller: 'security', ...envelope }, token);
    expect(status).toBe(403);
    expect(json.error.id).toBe('security.rights.forbidden');
  });

  it('an anonymous caller cannot create an admin once the first one exists', async () => {
    const { status, json } = await query({
      controller: 'security',
      action: 'createUser',
      _id: 'intruder',
      body: { content: { profileIds: ['admin'] } },
    });
    expect(status).toBe(401);
    expect(json.error.id).toBe('security.rights.unauthorized');
  });
});
