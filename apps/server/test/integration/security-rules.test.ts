/**
 * Rights, sessions, API keys and what must never leak, through kuzzle-sdk against a real server.
 */
import { Writable } from 'node:stream';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { createLogger } from '@tessera/kernel';
import { definePlugin } from '@tessera/plugin-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const PASSWORD = 'correct horse battery staple';
const credentialsOf = (username: string) => ({ local: { username, password: PASSWORD } });

describe('rights after createFirstAdmin with reset', () => {
  let server: TestKernel;
  let admin: Kuzzle;
  let anonymous: Kuzzle;

  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
    anonymous = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    admin = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await Promise.all([anonymous.connect(), admin.connect()]);
    expect(await admin.server.adminExists({})).toBe(false);
    await admin.security.createFirstAdmin(
      'admin',
      { content: {}, credentials: credentialsOf('admin') },
      { reset: true },
    );
    await admin.auth.login('local', { username: 'admin', password: PASSWORD });
  });

  afterAll(async () => {
    admin.disconnect();
    anonymous.disconnect();
    await server.stop();
  });

  it('reports that an admin exists and refuses a second first admin', async () => {
    expect(await admin.server.adminExists({})).toBe(true);
    await expect(
      anonymous.security.createFirstAdmin('again', { content: {}, credentials: credentialsOf('again') }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('denies anonymous callers with 401 security.rights.unauthorized', async () => {
    await expect(anonymous.security.getUser('admin')).rejects.toMatchObject({
      status: 401,
      id: 'security.rights.unauthorized',
      message: 'Unauthorized: authentication required to execute the action "security:getUser".',
    });
  });

  it('denies a default user with 403 security.rights.forbidden, and lets them read their own rights', async () => {
    await admin.security.createUser('mylehuong', {
      content: { profileIds: ['default'] },
      credentials: credentialsOf('my'),
    });
    const user = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await user.connect();
    try {
      await user.auth.login('local', { username: 'my', password: PASSWORD });
      await expect(user.security.getUser('admin')).rejects.toMatchObject({
        status: 403,
        id: 'security.rights.forbidden',
        message: 'Insufficient permissions to execute the action "security:getUser" (User "mylehuong").',
      });
      expect(await user.auth.checkRights({ controller: 'auth', action: 'logout' })).toBe(true);
      expect(await user.auth.checkRights({ controller: 'security', action: 'deleteUser' })).toBe(false);
      const rights = await user.auth.getMyRights();
      expect(rights).toContainEqual(
        expect.objectContaining({ controller: 'auth', action: 'logout', value: 'allowed' }),
      );
      const updated = await user.auth.updateSelf({ nickname: 'my' });
      expect(updated.content).toMatchObject({ nickname: 'my', profileIds: ['default'] });
      await expect(user.auth.updateSelf({ profileIds: ['admin'] })).rejects.toMatchObject({
        id: 'api.assert.forbidden_argument',
      });
    } finally {
      user.disconnect();
    }
  });

  it("keeps the server's configuration, metrics and details to administrators; the API description is public", async () => {
    for (const action of ['getConfig', 'metrics', 'info', 'capabilities']) {
      await expect(anonymous.query({ controller: 'server', action })).rejects.toMatchObject({
        id: 'security.rights.unauthorized',
      });
    }
    const { result } = await anonymous.query({ controller: 'server', action: 'openapi' });
    expect(result.openapi).toBe('3.1.0');
    expect(await admin.server.getConfig({})).toHaveProperty('security.jwt.maxTTL');
  });

  it('applies a role change to the very next request', async () => {
    await admin.security.createRole('reader', { controllers: { server: { actions: { now: true } } } });
    await admin.security.createProfile('readers', { policies: [{ roleId: 'reader' }] });
    await admin.security.createUser('reader-1', {
      content: { profileIds: ['readers'] },
      credentials: credentialsOf('reader-1'),
    });
    const reader = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await reader.connect();
    try {
      await reader.auth.login('local', { username: 'reader-1', password: PASSWORD });
      expect(typeof (await reader.server.now({}))).toBe('number');
      await admin.security.updateRole('reader', { controllers: { server: { actions: { now: false } } } });
      await expect(reader.server.now({})).rejects.toMatchObject({ id: 'security.rights.forbidden' });
    } finally {
      reader.disconnect();
    }
  });
});

describe('sessions and API keys', () => {
  let server: TestKernel;
  let kuzzle: Kuzzle;

  beforeEach(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
    kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    await kuzzle.security.createUser('mylehuong', {
      content: { profileIds: ['default'] },
      credentials: credentialsOf('my'),
    });
  });

  afterEach(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  it('lists the caller sessions without token material and revokes one of them', async () => {
    const first = await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
    await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
    const { result } = await kuzzle.query({ controller: 'auth', action: 'listMySessions' });
    expect(result.total).toBe(2);
    expect(JSON.stringify(result)).not.toContain(first.slice(6, 40));
    const other = result.hits.find((session: { current: boolean }) => !session.current);
    await kuzzle.query({ controller: 'auth', action: 'revokeMySession', sessionId: other.sessionId });
    expect(await kuzzle.auth.checkToken(first)).toMatchObject({ valid: false });
    await expect(
      kuzzle.query({ controller: 'auth', action: 'revokeMySession', sessionId: 'no-such-session' }),
    ).rejects.toMatchObject({ id: 'security.session.not_found', status: 404 });
  });

  it('authenticates with an API key, keeps it across logout, and refuses it once deleted', async () => {
    await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
    const created = await kuzzle.auth.createApiKey('ci runner');
    const token: string = created._source.token;
    expect(token).toMatch(/^kapikey-/);
    const searched = await kuzzle.auth.searchApiKeys({});
    expect(searched.total).toBe(1);
    expect(JSON.stringify(searched)).not.toContain(token);
    await kuzzle.auth.logout();

    const withKey = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await withKey.connect();
    try {
      withKey.jwt = token;
      expect((await withKey.auth.getCurrentUser())._id).toBe('mylehuong');
      await withKey.auth.deleteApiKey(created._id);
      await expect(withKey.auth.getCurrentUser()).rejects.toMatchObject({ id: 'security.token.invalid' });
    } finally {
      withKey.disconnect();
    }
  });

  it("searches API keys with Kuzzle's body, which is the query itself (or a Koncorde filter)", async () => {
    await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
    for (const description of ['ci runner', 'backup job', 'ci deploy']) {
      await kuzzle.auth.createApiKey(description);
    }
    const descriptions = (result: { hits: { _source: { description: string } }[] }) =>
      result.hits.map((hit) => hit._source.description).sort();

    const matched = await kuzzle.auth.searchApiKeys({ match: { description: 'ci' } });
    expect(descriptions(matched)).toEqual(['ci deploy', 'ci runner']);
    const filtered = await kuzzle.auth.searchApiKeys(
      { equals: { description: 'backup job' } },
      { lang: 'koncorde' },
    );
    expect(descriptions(filtered)).toEqual(['backup job']);
    expect(descriptions(await kuzzle.auth.searchApiKeys({}))).toHaveLength(3);

    const byAdmin = await kuzzle.security.searchApiKeys('mylehuong', { match: { description: 'deploy' } });
    expect(descriptions(byAdmin)).toEqual(['ci deploy']);
    await expect(kuzzle.auth.searchApiKeys({ query: { match_all: {} } })).rejects.toMatchObject({
      id: 'services.storage.unknown_query_keyword',
      status: 400,
    });
  });
});

describe('secrets', () => {
  it('never puts a password or a password hash in a response or a log line', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await startTestKernel({
      plugins: builtInPlugins(),
      log: createLogger({ level: 'debug', destination }),
    });
    const responses: string[] = [];
    const call = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      responses.push(text);
      return JSON.parse(text) as { result: Record<string, any> };
    };
    try {
      await call('/users/_create?_id=mylehuong', {
        content: { profileIds: ['default'] },
        credentials: credentialsOf('my'),
      });
      await call('/_login/local', { username: 'my', password: 'wrong password' });
      await call('/_login/local', { username: 'nobody', password: PASSWORD });
      const { result } = await call('/_login/local', { username: 'my', password: PASSWORD });
      await call(
        '/_me/credentials/local/_validate',
        { username: 'my', password: PASSWORD },
        result.jwt as string,
      );
      await call('/credentials/local/mylehuong/_create', { username: 'again', password: PASSWORD });
      await call('/users/_create', { content: { profileIds: ['nope'] }, credentials: credentialsOf('x') });
      const everything = [...responses, ...lines].join('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain('wrong password');
      expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
    } finally {
      await server.stop();
    }
  });

  it('gives plugins no way to the users or the tokens', async () => {
    let looked: (seen: unknown) => void;
    const seen = new Promise<unknown>((resolve) => (looked = resolve));
    const curious = definePlugin({
      setup(ctx) {
        ctx.bus.hook('auth:login', async () => {
          const users = await ctx.storage.collection('users');
          const tokens = await ctx.storage.collection('tokens');
          looked({ users: (await users.search({})).total, tokens: (await tokens.search({})).total });
        });
      },
    });
    const server = await startTestKernel({
      plugins: [
        ...builtInPlugins(),
        {
          manifest: { name: 'curious', version: '1.0.0', kernel: '*', main: 'index.js' },
          definition: curious,
        },
      ],
    });
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await kuzzle.security.createUser('mylehuong', {
        content: { profileIds: ['default'] },
        credentials: credentialsOf('my'),
      });
      await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
      expect(await seen).toEqual({ users: 0, tokens: 0 });
    } finally {
      kuzzle.disconnect();
      await server.stop();
    }
  });
});

describe('password reset', () => {
  it('returns the reset token with must_change_password, and the reset lets the user in', async () => {
    const server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: {
        plugins: {
          'auth-local': { passwordPolicies: [{ appliesTo: '*', mustChangePasswordIfSetByAdmin: true }] },
        },
      },
    });
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await kuzzle.security.createUser('mylehuong', {
        content: { profileIds: ['default'] },
        credentials: credentialsOf('my'),
      });
      const refusal = await kuzzle.auth.login('local', { username: 'my', password: PASSWORD }).then(
        () => null,
        (error: { id: string; status: number }) => error,
      );
      expect(refusal).toMatchObject({ id: 'plugin.auth-local.must_change_password', status: 401 });
      // kuzzle-sdk keeps only the catalog fields of an error: read the reset token on the wire.
      const wire = await fetch(`${server.url}/_login/local`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'my', password: PASSWORD }),
      });
      const { error } = (await wire.json()) as { error: { resetToken: string } };
      expect(typeof error.resetToken).toBe('string');
      const reset = await fetch(`${server.url}/_/password/reset`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: error.resetToken, password: 'a brand new passphrase' }),
      });
      expect(((await reset.json()) as { result: unknown }).result).toEqual({
        acknowledged: true,
        kuid: 'mylehuong',
      });
      await expect(
        kuzzle.auth.login('local', { username: 'my', password: 'a brand new passphrase' }),
      ).resolves.toMatch(/^kauth-/);
    } finally {
      kuzzle.disconnect();
      await server.stop();
    }
  });
});

describe('per-user request budget', () => {
  it('answers 429 api.process.too_many_requests past the profile rateLimit, and lets logout through', async () => {
    const server = await startTestKernel({ plugins: builtInPlugins() });
    const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await kuzzle.security.createProfile('sparing', { policies: [{ roleId: 'default' }], rateLimit: 3 });
      await kuzzle.security.createUser('mylehuong', {
        content: { profileIds: ['sparing'] },
        credentials: credentialsOf('my'),
      });
      await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => kuzzle.server.now({})));
      const refused = outcomes.filter(
        (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
      );
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(refused[0]!.reason).toMatchObject({ id: 'api.process.too_many_requests', status: 429 });
      await expect(kuzzle.auth.logout()).resolves.toBeUndefined();
    } finally {
      kuzzle.disconnect();
      await server.stop();
    }
  });
});
