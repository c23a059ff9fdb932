/**
 * The client's address is the TCP peer's, unless that peer is a proxy listed in `server.trustedProxies`: then
 * it is the address the proxies forwarded (X-Forwarded-For, read from the right, up to the first address that
 * is not a trusted proxy). Forwarded headers from anyone else change nothing: not the login budget, not the
 * `ip` of events, not the `Secure` flag of the auth cookie.
 */
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import type { DeepPartial, TesseraConfig } from '@tessera/kernel';
import { JSON_BODY, httpCall, openRawSocket } from '../wire';

const WRONG = JSON.stringify({ username: 'nobody', password: 'wrong password' });

let server: TestKernel;

async function start(server_: DeepPartial<TesseraConfig['server']>): Promise<void> {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: {
      server: server_,
      security: { login: { attemptsPerAddress: 2, attemptsPerUsername: 0 } },
    },
  });
}

afterEach(async () => {
  await server.stop();
});

/** A failed login over HTTP claiming to come from `forwardedFor`; its status (401, or 429 past the budget). */
async function failLogin(forwardedFor?: string): Promise<number> {
  const headers: Record<string, string> = { ...JSON_BODY };
  if (forwardedFor !== undefined) headers['X-Forwarded-For'] = forwardedFor;
  return (await httpCall(server.url, '/_login/local', { method: 'POST', headers, body: WRONG })).status;
}

describe('behind a trusted load balancer', () => {
  beforeEach(async () => {
    await start({ trustedProxies: ['127.0.0.1', '10.0.0.0/8'] });
  });

  it('gives every client its own login budget', async () => {
    expect(await failLogin('203.0.113.7')).toBe(401);
    expect(await failLogin('203.0.113.7')).toBe(401);
    expect(await failLogin('203.0.113.7')).toBe(429);
    expect(await failLogin('198.51.100.9')).toBe(401);
  });

  it('reads X-Forwarded-For from the right: an address the client wrote itself is not its address', async () => {
    // The load balancer appends the address it saw; 10.1.2.3 is another trusted hop.
    expect(await failLogin('6.6.6.6, 203.0.113.7, 10.1.2.3')).toBe(401);
    expect(await failLogin('7.7.7.7, 203.0.113.7, 10.1.2.3')).toBe(401);
    expect(await failLogin('8.8.8.8, 203.0.113.7')).toBe(429);
  });

  it('reports the client address in auth events', async () => {
    const seen: (string | undefined)[] = [];
    const off = server.kernel.bus.hook('auth:loginFailed', (event) => void seen.push(event.ip));
    try {
      await failLogin('203.0.113.7');
    } finally {
      off();
    }
    expect(seen).toEqual(['203.0.113.7']);
  });

  it('gives each WebSocket client the address its proxy forwarded on the upgrade', async () => {
    const frame = {
      controller: 'auth',
      action: 'login',
      strategy: 'local',
      body: { username: 'nobody', password: 'wrong' },
    };
    const first = await openRawSocket(server.port, { 'X-Forwarded-For': '203.0.113.7' });
    const second = await openRawSocket(server.port, { 'X-Forwarded-For': '198.51.100.9' });
    try {
      expect((await first.query(frame)).status).toBe(401);
      expect((await first.query(frame)).status).toBe(401);
      expect((await first.query(frame)).status).toBe(429);
      expect((await second.query(frame)).status).toBe(401);
    } finally {
      first.close();
      second.close();
    }
  });

  it('marks the auth cookie Secure when the proxy says the browser spoke HTTPS', async () => {
    await httpCall(server.url, '/users/_create?_id=alice', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({
        content: { profileIds: ['default'] },
        credentials: { local: { username: 'alice', password: 'correct horse battery' } },
      }),
    });
    const { response } = await httpCall(server.url, '/_login/local?cookieAuth', {
      method: 'POST',
      headers: { ...JSON_BODY, 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }),
    });
    expect(response.headers.get('set-cookie')).toContain('; Secure');
  });
});

describe.each([
  ['no trusted proxy (the default)', {}],
  ['a trusted proxy that is not the peer', { trustedProxies: ['10.0.0.1'] }],
])('with %s, forwarded headers from the peer', (_name, serverConfig) => {
  beforeEach(async () => {
    await start(serverConfig);
  });

  it('change nothing in the login budget: every forged address shares the peer one', async () => {
    expect(await failLogin('203.0.113.7')).toBe(401);
    expect(await failLogin('198.51.100.9')).toBe(401);
    expect(await failLogin('192.0.2.1')).toBe(429);
  });

  it('do not reach events', async () => {
    const seen: (string | undefined)[] = [];
    const off = server.kernel.bus.hook('auth:loginFailed', (event) => void seen.push(event.ip));
    try {
      await failLogin('203.0.113.7');
    } finally {
      off();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('do not make the auth cookie Secure', async () => {
    await httpCall(server.url, '/users/_create?_id=alice', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({
        content: { profileIds: ['default'] },
        credentials: { local: { username: 'alice', password: 'correct horse battery' } },
      }),
    });
    const { response } = await httpCall(server.url, '/_login/local?cookieAuth', {
      method: 'POST',
      headers: { ...JSON_BODY, 'X-Forwarded-Proto': 'https' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }),
    });
    expect(response.headers.get('set-cookie')).toMatch(/^authToken=/);
    expect(response.headers.get('set-cookie')).not.toContain('Secure');
  });
});

describe('server.trustedProxies', () => {
  it('refuses to start with an address that is not one', async () => {
    await expect(
      startTestKernel({ overrides: { server: { trustedProxies: ['10.0.0.0/8', 'not-an-address'] } } }),
    ).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: ['server.trustedProxies', expect.any(String)],
    });
  });
});
