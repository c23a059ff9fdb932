/**
 * Cookie authentication (`cookieAuth`): a browser keeps its token in the HttpOnly `authToken` cookie. The token
 * never shows in a response body, the cookie authenticates every HTTP request, a stale cookie never locks a
 * browser out, and WebSocket connections ignore the cookie.
 */
import { Http, Kuzzle, WebSocket as SdkWebSocket } from 'kuzzle-sdk';
import WebSocket from 'ws';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const CREDENTIALS = JSON.stringify({ username: 'alice', password: 'correct horse' });

/** One HTTP call; a body goes as JSON, as kuzzle-sdk sends it (other types are refused). */
async function call(server: TestKernel, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { response, text, json: JSON.parse(text) as Record<string, any> };
}

async function createAlice(server: TestKernel) {
  const { response } = await call(server, '/users/_create?_id=alice', {
    method: 'POST',
    body: JSON.stringify({
      content: { profileIds: ['default'] },
      credentials: { local: JSON.parse(CREDENTIALS) as unknown },
    }),
  });
  expect(response.status).toBe(200);
}

/** `authToken=<value>` from a Set-Cookie header, and the header itself. */
function cookieOf(response: Response): { pair: string; header: string } {
  const header = response.headers.get('set-cookie') ?? '';
  return { pair: header.split(';')[0] ?? '', header };
}

describe('cookie authentication over HTTP', () => {
  let server: TestKernel;

  beforeAll(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: {
        // The test client plays the TLS-terminating proxy too.
        server: { trustedProxies: ['loopback'], cors: { allowOrigin: ['*', 'https://app.example.com'] } },
        security: { login: { attemptsPerAddress: 1000, attemptsPerUsername: 1000 } },
      },
    });
    await createAlice(server);
  });

  afterAll(async () => {
    await server.stop();
  });

  const login = () => call(server, '/_login/local?cookieAuth', { method: 'POST', body: CREDENTIALS });

  it('logs in with the token in an HttpOnly, SameSite=Strict cookie that expires with it, and not in the body', async () => {
    const { response, text, json } = await login();
    expect(response.status).toBe(200);
    const { pair, header } = cookieOf(response);
    expect(pair).toMatch(/^authToken=kauth-/);
    expect(header).toContain('; Path=/');
    expect(header).toContain('; HttpOnly');
    expect(header).toContain('; SameSite=Strict');
    expect(header).not.toContain('Secure');
    const expires = /Expires=([^;]+)/.exec(header)?.[1];
    expect(Math.abs(Date.parse(expires ?? '') - (json.result.expiresAt as number))).toBeLessThan(1000);
    expect(json.result).toEqual({ _id: 'alice', expiresAt: expect.any(Number), ttl: 7_200_000 });
    expect(text).not.toContain(pair.slice('authToken='.length));
    expect(text.toLowerCase()).not.toContain('set-cookie');
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const { response } = await call(server, '/_login/local?cookieAuth', {
      method: 'POST',
      body: CREDENTIALS,
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(cookieOf(response).header).toContain('; Secure');
  });

  it('authenticates requests with the cookie, and refuses a cookie and a Bearer token together', async () => {
    const { pair } = cookieOf((await login()).response);
    const me = await call(server, '/_me', { headers: { Cookie: `theme=dark; ${pair}` } });
    expect(me.json.result._id).toBe('alice');

    const jwt = (await call(server, '/_login/local', { method: 'POST', body: CREDENTIALS })).json.result
      .jwt as string;
    const both = await call(server, '/_me', { headers: { Cookie: pair, Authorization: `Bearer ${jwt}` } });
    expect(both.response.status).toBe(401);
    expect(both.json.error).toMatchObject({
      id: 'security.token.ambiguous',
      message: 'Both token and cookie are present, could not decide which one to use.',
    });
    expect(both.json.error.stack).toBeUndefined();
  });

  it('reads the Cookie header as cookie.parse does: other cookies, malformed or not, never lock a browser out', async () => {
    for (const header of [
      'authToken=null; other=1',
      'HttpOnly',
      'authToken',
      '=value',
      'theme=%E0%A4%A',
      'theme; HttpOnly; =x; lang=fr',
    ]) {
      const { response, json } = await call(server, '/_me', { headers: { Cookie: header } });
      expect({ header, status: response.status, kuid: json.result?._id }).toEqual({
        header,
        status: 200,
        kuid: '-1',
      });
    }
    // Our own cookie with a value that is no token is a token that does not verify.
    const { response, json } = await call(server, '/_me', { headers: { Cookie: 'authToken=%E0%A4%A' } });
    expect(response.status).toBe(401);
    expect(json.error.id).toBe('security.token.invalid');
  });

  it('authenticates kuzzle-sdk sending the Set-Cookie value back as its Cookie header, HttpOnly and all', async () => {
    const { header } = cookieOf((await login()).response);
    expect(header).toMatch(/; HttpOnly/);
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port, headers: { Cookie: header } }));
    try {
      await kuzzle.connect();
      expect((await kuzzle.auth.getCurrentUser())._id).toBe('alice');
      expect(await kuzzle.auth.getMyRights()).not.toHaveLength(0);
    } finally {
      kuzzle.disconnect();
    }
  });

  it('checks the cookie with checkToken?cookieAuth, and a stale cookie reads as invalid, not as an error', async () => {
    const { pair } = cookieOf((await login()).response);
    const valid = await call(server, '/_checkToken?cookieAuth', {
      method: 'POST',
      headers: { Cookie: pair },
    });
    expect(valid.json.result).toEqual({ valid: true, kuid: 'alice', expiresAt: expect.any(Number) });

    await call(server, '/_logout?cookieAuth', { method: 'POST', headers: { Cookie: pair } });
    const stale = await call(server, '/_checkToken?cookieAuth', {
      method: 'POST',
      headers: { Cookie: pair },
    });
    expect(stale.response.status).toBe(200);
    expect(stale.json.result).toMatchObject({ valid: false });
  });

  it('refreshes into a new cookie and logs out by revoking the token and clearing the cookie', async () => {
    const first = cookieOf((await login()).response).pair;
    const refreshed = await call(server, '/_refreshToken?cookieAuth', {
      method: 'POST',
      headers: { Cookie: first },
    });
    expect(refreshed.response.status).toBe(200);
    expect(refreshed.json.result.jwt).toBeUndefined();
    const second = cookieOf(refreshed.response).pair;
    expect(second).toMatch(/^authToken=kauth-/);
    expect(second).not.toBe(first);

    const logout = await call(server, '/_logout?cookieAuth', { method: 'POST', headers: { Cookie: second } });
    expect(logout.json.result).toEqual({ acknowledged: true });
    const cleared = cookieOf(logout.response).header;
    expect(cleared).toMatch(/^authToken=null; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly/);

    const revoked = await call(server, '/_me', { headers: { Cookie: second } });
    expect(revoked.response.status).toBe(401);
    expect(revoked.json.error.id).toBe('security.token.invalid');
  });

  it('lets a browser with a stale cookie log out and log in again', async () => {
    const { pair } = cookieOf((await login()).response);
    await call(server, '/_logout?cookieAuth', { method: 'POST', headers: { Cookie: pair } });
    const again = await call(server, '/_logout?cookieAuth', { method: 'POST', headers: { Cookie: pair } });
    expect(again.json.result).toEqual({ acknowledged: true });
    const relogin = await call(server, '/_login/local?cookieAuth', {
      method: 'POST',
      body: CREDENTIALS,
      headers: { Cookie: pair },
    });
    expect(relogin.response.status).toBe(200);
    expect(cookieOf(relogin.response).pair).not.toBe(pair);
  });

  it('allows credentialed cross-origin calls from allowed origins', async () => {
    const { response } = await call(server, '/_now', { headers: { Origin: 'https://app.example.com' } });
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('refuses cookieAuth over WebSocket, and never reads a cookie sent with the WebSocket upgrade', async () => {
    const kuzzle = new Kuzzle(new SdkWebSocket('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await expect(
        kuzzle.query({
          controller: 'auth',
          action: 'login',
          strategy: 'local',
          cookieAuth: true,
          body: JSON.parse(CREDENTIALS) as Record<string, unknown>,
        }),
      ).rejects.toMatchObject({ status: 400, id: 'api.assert.invalid_argument' });
    } finally {
      kuzzle.disconnect();
    }

    const { pair } = cookieOf((await login()).response);
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}`, { headers: { Cookie: pair } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const answer = new Promise<Record<string, any>>((resolve) =>
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, any>)),
    );
    socket.send(JSON.stringify({ controller: 'auth', action: 'getCurrentUser', requestId: 'me' }));
    expect((await answer).result._id).toBe('-1');
    socket.close();
  });
});

describe('with cookie authentication disabled', () => {
  let server: TestKernel;

  beforeAll(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: { security: { cookieAuthentication: false } },
    });
    await createAlice(server);
  });

  afterAll(async () => {
    await server.stop();
  });

  it('refuses cookieAuth with security.cookie.unsupported, ignores authToken cookies, and allows no credentials', async () => {
    const login = await call(server, '/_login/local?cookieAuth', { method: 'POST', body: CREDENTIALS });
    expect(login.json.error).toMatchObject({ id: 'security.cookie.unsupported', status: 400 });
    expect(login.response.headers.get('set-cookie')).toBeNull();

    const jwt = (await call(server, '/_login/local', { method: 'POST', body: CREDENTIALS })).json.result
      .jwt as string;
    const withCookie = await call(server, '/_me', { headers: { Cookie: `authToken=${jwt}` } });
    expect(withCookie.json.result._id).toBe('-1');

    const { response } = await call(server, '/_now', { headers: { Origin: 'https://app.example.com' } });
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
