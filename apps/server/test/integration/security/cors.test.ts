/**
 * Browsers and the auth cookie. `Access-Control-Allow-Credentials` goes only with an origin named in
 * `server.cors.allowOrigin`, never with `*`; only JSON bodies are read, so a page of another site cannot reach an
 * action with a "simple" request (an HTML form, a text/plain fetch) that skips the preflight; and a request that
 * uses the cookie from a page whose Origin is neither this server's nor allow-listed is refused.
 */
import { Http, Kuzzle, WebSocket as SdkWebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { JSON_BODY, httpCall } from '../wire';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';
const CREDENTIALS = JSON.stringify({ username: 'alice', password: 'correct horse battery' });

let server: TestKernel;

async function start(cors?: { allowOrigin: string[] }, cookieAuthentication = true): Promise<void> {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: {
      ...(cors ? { server: { cors } } : {}),
      security: { cookieAuthentication, login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    },
  });
  const created = await httpCall(server.url, '/users/_create?_id=alice', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({
      content: { profileIds: ['default'] },
      credentials: { local: JSON.parse(CREDENTIALS) as unknown },
    }),
  });
  expect(created.status).toBe(200);
}

afterEach(async () => {
  await server.stop();
});

/** Logs alice in with the cookie, as a page of this server would; the `authToken=…` pair. */
async function cookieLogin(): Promise<string> {
  const { response } = await httpCall(server.url, '/_login/local?cookieAuth', {
    method: 'POST',
    headers: JSON_BODY,
    body: CREDENTIALS,
  });
  const pair = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(pair).toMatch(/^authToken=kauth-/);
  return pair;
}

const preflight = (origin: string) =>
  fetch(`${server.url}/_me`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'content-type',
    },
  });

describe('with the default allowOrigin "*"', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers any origin with "*" and never with credentials', async () => {
    for (const answer of [
      await preflight(EVIL),
      (await httpCall(server.url, '/_now', { headers: { Origin: EVIL } })).response,
    ]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const noOrigin = await httpCall(server.url, '/_now');
    expect(noOrigin.response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it("refuses a page of another origin that sends the cookie, and leaves the user's session alone", async () => {
    const cookie = await cookieLogin();
    const read = await httpCall(server.url, '/_me', { headers: { Origin: EVIL, Cookie: cookie } });
    expect(read.json.error).toMatchObject({
      id: 'api.process.unauthorized_origin',
      status: 401,
      props: [EVIL],
    });
    expect(read.json.result).toBeNull();
    const logout = await httpCall(server.url, '/_logout?cookieAuth', {
      method: 'POST',
      headers: { ...JSON_BODY, Origin: EVIL, Cookie: cookie },
    });
    expect(logout.json.error.id).toBe('api.process.unauthorized_origin');
    expect(logout.response.headers.get('set-cookie')).toBeNull();
    const sandboxed = await httpCall(server.url, '/_me', { headers: { Origin: 'null', Cookie: cookie } });
    expect(sandboxed.json.error.id).toBe('api.process.unauthorized_origin');
    const me = await httpCall(server.url, '/_me', { headers: { Cookie: cookie } });
    expect(me.json.result._id).toBe('alice');
  });

  it('refuses a login into the cookie asked by a page of another origin', async () => {
    const answer = await httpCall(server.url, '/_login/local?cookieAuth', {
      method: 'POST',
      headers: { ...JSON_BODY, Origin: EVIL },
      body: CREDENTIALS,
    });
    expect(answer.json.error.id).toBe('api.process.unauthorized_origin');
    expect(answer.response.headers.get('set-cookie')).toBeNull();
  });

  it("accepts the cookie from this server's own pages and from clients that send no Origin", async () => {
    const cookie = await cookieLogin();
    const own = await httpCall(server.url, '/_me', { headers: { Origin: server.url, Cookie: cookie } });
    expect(own.json.result._id).toBe('alice');
    const logout = await httpCall(server.url, '/_logout?cookieAuth', {
      method: 'POST',
      headers: { ...JSON_BODY, Origin: server.url, Cookie: cookie },
    });
    expect(logout.status).toBe(200);
  });

  it('lets any origin call with a Bearer token, which no browser sends on its own', async () => {
    const login = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      headers: JSON_BODY,
      body: CREDENTIALS,
    });
    const me = await httpCall(server.url, '/_me', {
      headers: { Origin: EVIL, Authorization: `Bearer ${login.json.result.jwt as string}` },
    });
    expect(me.json.result._id).toBe('alice');
  });
});

describe('bodies that are not JSON', () => {
  beforeEach(async () => {
    await start();
  });

  it.each([
    ['an HTML form (urlencoded)', 'application/x-www-form-urlencoded', CREDENTIALS],
    ['an HTML form (text/plain)', 'text/plain', CREDENTIALS],
    ['a text/plain fetch', 'text/plain;charset=UTF-8', CREDENTIALS],
    ['a multipart form', 'multipart/form-data; boundary=x', '--x--'],
  ])('are refused with unsupported_content: %s', async (_name, contentType, body) => {
    const answer = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.id).toBe('network.http.unsupported_content');
    expect(answer.json.result).toBeNull();
  });

  it('are refused with no Content-Type at all', async () => {
    const answer = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      body: new TextEncoder().encode(CREDENTIALS),
    });
    expect(answer.json.error.id).toBe('network.http.unsupported_content');
  });

  it('are refused even empty, so an empty form cannot log a cookie out', async () => {
    const cookie = await cookieLogin();
    const form = await httpCall(server.url, '/_logout?cookieAuth', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Cookie: cookie },
      body: '',
    });
    expect(form.json.error.id).toBe('network.http.unsupported_content');
    expect((await httpCall(server.url, '/_me', { headers: { Cookie: cookie } })).json.result._id).toBe(
      'alice',
    );
  });

  it('leave JSON (with or without charset=utf-8) and empty bodies without a type working', async () => {
    const json = await httpCall(server.url, '/_login/local', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: CREDENTIALS,
    });
    expect(json.json.result._id).toBe('alice');
    const jwt = json.json.result.jwt as string;
    const empty = await httpCall(server.url, '/_logout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}` },
    });
    expect(empty.json.result).toEqual({ acknowledged: true });
  });
});

describe('with an explicit allow-list', () => {
  it('reflects a listed origin with credentials, and refuses another', async () => {
    await start({ allowOrigin: [APP] });
    const listed = await preflight(APP);
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed.headers.get('vary')).toContain('Origin');
    const other = await httpCall(server.url, '/_now', { headers: { Origin: EVIL } });
    expect(other.json.error.id).toBe('api.process.unauthorized_origin');
  });

  it('lets a listed origin use the cookie', async () => {
    await start({ allowOrigin: [APP] });
    const cookie = await cookieLogin();
    const me = await httpCall(server.url, '/_me', { headers: { Origin: APP, Cookie: cookie } });
    expect(me.json.result._id).toBe('alice');
    expect(me.response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('mixed with "*": credentials for the listed origin only', async () => {
    await start({ allowOrigin: ['*', APP] });
    expect((await preflight(APP)).headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight(EVIL);
    expect(other.headers.get('access-control-allow-origin')).toBe('*');
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
    const cookie = await cookieLogin();
    const foreign = await httpCall(server.url, '/_me', { headers: { Origin: EVIL, Cookie: cookie } });
    expect(foreign.json.error.id).toBe('api.process.unauthorized_origin');
  });

  it('sends no credentials header when cookie authentication is off', async () => {
    await start({ allowOrigin: [APP] }, false);
    const listed = await preflight(APP);
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('kuzzle-sdk', () => {
  beforeEach(async () => {
    await start();
  });

  it.each([
    ['Http', () => new Http('127.0.0.1', { port: server.port })],
    ['WebSocket', () => new SdkWebSocket('127.0.0.1', { port: server.port })],
  ])('keeps working over %s', async (_name, protocol) => {
    const kuzzle = new Kuzzle(protocol());
    await kuzzle.connect();
    try {
      await kuzzle.auth.login('local', JSON.parse(CREDENTIALS) as Record<string, string>);
      expect((await kuzzle.auth.updateSelf({ theme: 'dark' })).content).toMatchObject({ theme: 'dark' });
      await kuzzle.auth.logout();
    } finally {
      kuzzle.disconnect();
    }
  });
});
