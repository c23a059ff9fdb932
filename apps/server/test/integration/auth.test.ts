/**
 * Users, credentials and tokens through the official kuzzle-sdk, over Http and WebSocket: the product docs'
 * flows, every way a token must be refused, and what must never leak.
 */
import { createHmac } from 'node:crypto';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const TWO_HOURS = 2 * 60 * 60 * 1000;
const protocols = [
  ['Http', (port: number) => new Http('127.0.0.1', { port })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const;

const mylehuong = (username = 'my', password = 'password') => ({
  content: { profileIds: ['default'], fullName: 'My Le Huong' },
  credentials: { local: { username, password } },
});

describe.each(protocols)('auth over %s', (_name, makeProtocol) => {
  let server: TestKernel;
  let kuzzle: Kuzzle;
  // The server's token clock runs `skew` ms ahead of the wall clock: a test moves time by moving it.
  let skew = 0;

  beforeEach(async () => {
    skew = 0;
    server = await startTestKernel({ plugins: builtInPlugins(), now: () => Date.now() + skew });
    kuzzle = new Kuzzle(makeProtocol(server.port));
    await kuzzle.connect();
  });

  afterEach(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  it('creates a user with the given kuid, or a generated one, and never returns credentials', async () => {
    const user = await kuzzle.security.createUser('mylehuong', mylehuong());
    expect(user._id).toBe('mylehuong');
    expect(user.content).toMatchObject({ profileIds: ['default'], fullName: 'My Le Huong' });
    expect(JSON.stringify(user)).not.toContain('password');
    const generated = await kuzzle.security.createUser(null, mylehuong('mylehuong'));
    expect(generated._id).toMatch(/^kuid-[a-z]+-[a-z]+-\d+$/);
  });

  it('logs in with the local strategy: a token valid 2 hours by default, expiresIn changing it', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    const before = Date.now();
    const jwt = await kuzzle.auth.login('local', { username: 'my', password: 'password' });
    expect(jwt).toMatch(/^kauth-/);
    const check = await kuzzle.auth.checkToken(jwt);
    expect(check).toMatchObject({ valid: true, kuid: 'mylehuong' });
    expect(check.expiresAt).toBeGreaterThanOrEqual(before + TWO_HOURS);
    expect(check.expiresAt).toBeLessThanOrEqual(Date.now() + TWO_HOURS + 1000);
    expect((await kuzzle.auth.getCurrentUser())._id).toBe('mylehuong');

    const short = await kuzzle.auth.login('local', { username: 'my', password: 'password' }, '30s');
    const shortCheck = await kuzzle.auth.checkToken(short);
    expect(shortCheck.expiresAt).toBeLessThanOrEqual(Date.now() + 31_000);
  });

  it('reads expiresIn as Kuzzle does, with ms: "1 hour" and "0.5 days" are durations, "soon" is refused', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    const credentials = { username: 'my', password: 'password' };
    for (const [expiresIn, ttl] of [
      ['1 hour', 3_600_000],
      // Within the default maxTTL of one day.
      ['0.5 days', 43_200_000],
    ] as const) {
      const before = Date.now();
      const { expiresAt } = await kuzzle.auth.checkToken(
        await kuzzle.auth.login('local', credentials, expiresIn),
      );
      expect(expiresAt).toBeGreaterThanOrEqual(before + ttl);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + ttl);
    }
    await expect(kuzzle.auth.login('local', credentials, 'soon')).rejects.toMatchObject({
      id: 'api.assert.invalid_argument',
      status: 400,
    });
  });

  it('only reports a refreshed token invalid when checkToken looks at it past the grace period', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    const original = await kuzzle.auth.login('local', { username: 'my', password: 'password' });
    const { jwt: successor } = await kuzzle.auth.refreshToken();
    skew += server.config.security.jwt.gracePeriod + 1;

    expect(await kuzzle.auth.checkToken(original)).toEqual({ valid: false, state: 'Invalid token.' });
    expect(await kuzzle.auth.checkToken(successor)).toMatchObject({ valid: true, kuid: 'mylehuong' });
    expect(await kuzzle.auth.checkToken(original)).toMatchObject({ valid: false });
    expect(await kuzzle.auth.checkToken(successor)).toMatchObject({ valid: true, kuid: 'mylehuong' });
    // The SDK holds the successor: it still authenticates requests.
    expect((await kuzzle.auth.getCurrentUser())._id).toBe('mylehuong');
  });

  it('answers an unknown username and a wrong password identically', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    const failure = async (username: string, password: string) =>
      kuzzle.auth.login('local', { username, password }).then(
        () => null,
        (error: { status: number; id: string; code: number; message: string }) => ({
          status: error.status,
          id: error.id,
          code: error.code,
          message: error.message,
        }),
      );
    const unknown = await failure('nobody', 'password');
    const wrong = await failure('my', 'not-the-password');
    expect(unknown).toEqual({
      status: 401,
      id: 'plugin.strategy.missing_user',
      code: 0x04030014,
      message: 'wrong username or password',
    });
    expect(wrong).toEqual(unknown);
  });

  it('manages credentials as the reference says', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    expect(await kuzzle.security.getCredentials('local', 'mylehuong')).toEqual({
      username: 'my',
      kuid: 'mylehuong',
    });
    expect(await kuzzle.security.hasCredentials('local', 'mylehuong')).toBe(true);
    await kuzzle.security.deleteCredentials('local', 'mylehuong');
    expect(await kuzzle.security.hasCredentials('local', 'mylehuong')).toBe(false);
    const created = await kuzzle.security.createCredentials('local', 'mylehuong', {
      username: 'my2',
      password: 'password',
    });
    expect(created).toEqual({ username: 'my2', kuid: 'mylehuong' });
    await expect(kuzzle.auth.login('local', { username: 'my2', password: 'password' })).resolves.toMatch(
      /^kauth-/,
    );
  });

  it('refuses a login asking for more than security.jwt.maxTTL', async () => {
    kuzzle.disconnect();
    await server.stop();
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: { security: { jwt: { expiresIn: '30s', maxTTL: 60_000 } } },
    });
    kuzzle = new Kuzzle(makeProtocol(server.port));
    await kuzzle.connect();
    await kuzzle.security.createUser('mylehuong', mylehuong());
    await expect(
      kuzzle.auth.login('local', { username: 'my', password: 'password' }, '2h'),
    ).rejects.toMatchObject({
      id: 'security.token.ttl_exceeded',
      status: 400,
    });
  });

  it('revokes the token on logout and every token on global logout', async () => {
    await kuzzle.security.createUser('mylehuong', mylehuong());
    const other = await kuzzle.auth.login('local', { username: 'my', password: 'password' });
    const current = await kuzzle.auth.login('local', { username: 'my', password: 'password' });
    await kuzzle.auth.logout();
    expect(await kuzzle.auth.checkToken(current)).toMatchObject({ valid: false, state: 'Invalid token.' });
    expect(await kuzzle.auth.checkToken(other)).toMatchObject({ valid: true });
    kuzzle.jwt = other;
    await kuzzle.query({ controller: 'auth', action: 'logout', global: true });
    expect(await kuzzle.auth.checkToken(other)).toMatchObject({ valid: false });
  });
});

describe('tokens the server must refuse', () => {
  let server: TestKernel;
  let kuzzle: Kuzzle;
  // As above: a test moves the server's token clock instead of waiting; each test starts on the wall clock.
  let skew = 0;

  afterEach(() => {
    skew = 0;
  });

  beforeAll(async () => {
    // Many logins of one user in a row: the per-username throttle is not what these tests are about.
    server = await startTestKernel({
      plugins: builtInPlugins(),
      now: () => Date.now() + skew,
      overrides: { security: { login: { attemptsPerUsername: 0, attemptsPerAddress: 0 } } },
    });
    kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    await kuzzle.security.createUser('mylehuong', mylehuong());
  });

  afterAll(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  const login = () => kuzzle.auth.login('local', { username: 'my', password: 'password' });
  const meWith = async (token: string) => {
    const response = await fetch(`${server.url}/_me`, { headers: { Authorization: `Bearer ${token}` } });
    return ((await response.json()) as { error: { id: string } | null }).error?.id ?? 'accepted';
  };
  const segments = (token: string) => token.slice('kauth-'.length).split('.') as [string, string, string];
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('accepts a genuine token', async () => {
    expect(await meWith(await login())).toBe('accepted');
  });

  it('refuses alg none, another secret and a tampered payload with security.token.invalid', async () => {
    const [, payload] = segments(await login());
    const none = `kauth-${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const forged = createHmac('sha256', 'another-secret').update(`${header}.${payload}`).digest('base64url');
    const [h, , signature] = segments(await login());
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `kauth-${h}.${encode({ ...claims, _id: 'admin' })}.${signature}`;
    expect(await meWith(none)).toBe('security.token.invalid');
    expect(await meWith(`kauth-${header}.${payload}.${forged}`)).toBe('security.token.invalid');
    expect(await meWith(tampered)).toBe('security.token.invalid');
  });

  it('refuses an expired token with security.token.expired', async () => {
    const token = await kuzzle.auth.login('local', { username: 'my', password: 'password' }, '1s');
    const { expiresAt } = await kuzzle.auth.checkToken(token);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2000);
    skew = expiresAt - Date.now() + 1;
    expect(await meWith(token)).toBe('security.token.expired');
  });

  it('refuses tokens revoked by revokeTokens, by a password change and by deleteUser', async () => {
    const revoked = await login();
    await kuzzle.query({ controller: 'security', action: 'revokeTokens', _id: 'mylehuong' });
    expect(await meWith(revoked)).toBe('security.token.invalid');

    const beforeChange = await login();
    // The SDK now sends this second token: the one making the change survives it, the others do not.
    const changing = await login();
    await kuzzle.security.updateCredentials('local', 'mylehuong', { password: 'a-new-password' });
    expect(await meWith(beforeChange)).toBe('security.token.invalid');
    expect(await meWith(changing)).toBe('accepted');

    const beforeDeletion = await kuzzle.auth.login('local', { username: 'my', password: 'a-new-password' });
    await kuzzle.security.deleteUser('mylehuong');
    expect(await meWith(beforeDeletion)).toBe('security.token.invalid');
    kuzzle.jwt = null;
    await kuzzle.security.createUser('mylehuong', mylehuong());
  });

  it('refuses a refreshed token reused after the grace period, and revokes its successor too', async () => {
    const original = await login();
    kuzzle.jwt = original;
    const { jwt: successor } = await kuzzle.auth.refreshToken();
    expect(await meWith(original)).toBe('accepted');
    skew += server.config.security.jwt.gracePeriod + 1;
    expect(await meWith(original)).toBe('security.token.invalid');
    expect(await meWith(successor)).toBe('security.token.invalid');
    kuzzle.jwt = null;
  });
});

describe('login throttling', () => {
  it.each(protocols)(
    'answers 429 with Retry-After past the per-username budget, over %s',
    async (_name, makeProtocol) => {
      const server = await startTestKernel({
        plugins: builtInPlugins(),
        overrides: { security: { login: { attemptsPerUsername: 3, attemptsPerAddress: 0 } } },
      });
      const kuzzle = new Kuzzle(makeProtocol(server.port));
      await kuzzle.connect();
      try {
        for (let i = 0; i < 3; i++) {
          await expect(
            kuzzle.auth.login('local', { username: 'ghost', password: 'x' }),
          ).rejects.toMatchObject({ status: 401 });
        }
        await expect(kuzzle.auth.login('local', { username: 'ghost', password: 'x' })).rejects.toMatchObject({
          status: 429,
          id: 'api.process.too_many_logins_requests',
        });
        const response = await fetch(`${server.url}/_login/local`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"username":"ghost","password":"x"}',
        });
        expect(response.status).toBe(429);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        kuzzle.disconnect();
        await server.stop();
      }
    },
  );
});

describe('concurrent creation', () => {
  it('creates one user for 20 concurrent createUser calls with the same username, and no orphan', async () => {
    const server = await startTestKernel({ plugins: builtInPlugins() });
    const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_unused, i) =>
          kuzzle.security.createUser(`user-${i}`, mylehuong('same')),
        ),
      );
      const created = attempts.filter((attempt) => attempt.status === 'fulfilled');
      const refused = attempts.filter(
        (attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected',
      );
      expect(created).toHaveLength(1);
      expect(refused).toHaveLength(19);
      for (const { reason } of refused)
        expect(reason).toMatchObject({ status: expect.any(Number), id: expect.any(String) });
      const users = await kuzzle.security.searchUsers({}, { size: 100 });
      expect(users.total).toBe(1);
    } finally {
      kuzzle.disconnect();
      await server.stop();
    }
  });
});
