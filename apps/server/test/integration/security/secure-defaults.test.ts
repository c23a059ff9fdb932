/**
 * Secure defaults where Kuzzle's are unsafe (issue 12, item 7), through kuzzle-sdk and raw requests, each with the
 * configuration that loosens it back to Kuzzle's behaviour:
 * - a first admin locks the server down, `reset` or not (`security.firstAdmin.restrictRights`);
 * - changing one's own password needs the current one (`plugins.auth-local.requirePassword`);
 * - a login cannot mint a never-expiring token (`security.jwt.maxTTL`).
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import type { DeepPartial, TesseraConfig } from '@tessera/kernel';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { postJson } from '../wire';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const credentials = (username: string, password = PASSWORD) => ({ local: { username, password } });
const DAY = 24 * 60 * 60 * 1000;

let server: TestKernel;
const clients: Kuzzle[] = [];

async function start(overrides: DeepPartial<TesseraConfig> = {}): Promise<void> {
  server = await startTestKernel({ plugins: builtInPlugins(), overrides });
}

async function client(protocol: 'http' | 'websocket' = 'http'): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(
    protocol === 'http'
      ? new Http('127.0.0.1', { port: server.port })
      : new WebSocket('127.0.0.1', { port: server.port }),
  );
  await kuzzle.connect();
  clients.push(kuzzle);
  return kuzzle;
}

afterEach(async () => {
  for (const kuzzle of clients.splice(0)) kuzzle.disconnect();
  await server.stop();
});

describe('a first admin locks the server down', () => {
  const anonymousCreatesAnAdmin = async () => {
    const anonymous = await client();
    return anonymous.security.createUser('intruder', {
      content: { profileIds: ['admin'] },
      credentials: credentials('intruder'),
    });
  };

  it.each([
    ['without reset', {}],
    ['with reset', { reset: true }],
  ])('%s: anonymous callers can no longer create an admin', async (_, options) => {
    await start();
    const kuzzle = await client();
    await kuzzle.security.createFirstAdmin(
      'admin',
      { content: {}, credentials: credentials('admin') },
      options,
    );
    await expect(anonymousCreatesAnAdmin()).rejects.toMatchObject({
      status: 401,
      id: 'security.rights.unauthorized',
    });
    await kuzzle.auth.login('local', { username: 'admin', password: PASSWORD });
    expect(await kuzzle.auth.checkRights({ controller: 'security', action: 'createUser' })).toBe(true);
  });

  it('leaves the rights open without reset when restrictRights is "onReset" (Kuzzle)', async () => {
    await start({ security: { firstAdmin: { restrictRights: 'onReset' } } });
    const kuzzle = await client();
    await kuzzle.security.createFirstAdmin('admin', { content: {}, credentials: credentials('admin') });
    expect((await anonymousCreatesAnAdmin())._id).toBe('intruder');
  });

  it('still restricts them with reset when restrictRights is "onReset"', async () => {
    await start({ security: { firstAdmin: { restrictRights: 'onReset' } } });
    const kuzzle = await client();
    await kuzzle.security.createFirstAdmin(
      'admin',
      { content: {}, credentials: credentials('admin') },
      { reset: true },
    );
    await expect(anonymousCreatesAnAdmin()).rejects.toMatchObject({ status: 401 });
  });
});

describe("changing one's own password needs the current one", () => {
  /** A default user, logged in on a kuzzle-sdk client of `protocol`. */
  async function loggedInUser(protocol: 'http' | 'websocket'): Promise<Kuzzle> {
    const admin = await client();
    await admin.security.createUser('mylehuong', {
      content: { profileIds: ['default'] },
      credentials: credentials('my'),
    });
    const user = await client(protocol);
    await user.auth.login('local', { username: 'my', password: PASSWORD });
    return user;
  }

  const logsIn = async (password: string) => {
    const other = await client();
    return other.auth.login('local', { username: 'my', password }).then(
      () => true,
      () => false,
    );
  };

  it.each(['http', 'websocket'] as const)(
    'over %s, refuses auth.updateMyCredentials without currentPassword, and with a wrong one',
    async (protocol) => {
      await start();
      const user = await loggedInUser(protocol);
      await expect(user.auth.updateMyCredentials('local', { password: NEW_PASSWORD })).rejects.toMatchObject({
        status: 400,
        id: 'plugin.auth-local.current_password_required',
      });
      await expect(
        user.auth.updateMyCredentials('local', { password: NEW_PASSWORD, currentPassword: 'not it' }),
      ).rejects.toMatchObject({ status: 403, id: 'plugin.auth-local.invalid_current_password' });
      expect(await logsIn(PASSWORD)).toBe(true);
      expect(await logsIn(NEW_PASSWORD)).toBe(false);
    },
  );

  it.each(['http', 'websocket'] as const)(
    "over %s, changes it when kuzzle-sdk sends currentPassword in the body, as Kuzzle's local plugin expects",
    async (protocol) => {
      await start();
      const user = await loggedInUser(protocol);
      const updated = await user.auth.updateMyCredentials('local', {
        password: NEW_PASSWORD,
        currentPassword: PASSWORD,
      });
      expect(updated).toEqual({ username: 'my', kuid: 'mylehuong' });
      expect(await logsIn(NEW_PASSWORD)).toBe(true);
      expect(await logsIn(PASSWORD)).toBe(false);
    },
  );

  it("deletes one's own credentials only with the current password", async () => {
    await start();
    const user = await loggedInUser('websocket');
    await expect(user.auth.deleteMyCredentials('local')).rejects.toMatchObject({ status: 400 });
    const deleted = await user.query({
      controller: 'auth',
      action: 'deleteMyCredentials',
      strategy: 'local',
      body: { currentPassword: PASSWORD },
    });
    expect(deleted.result).toEqual({ acknowledged: true });
  });

  it('lets an administrator set a password without it (security:updateCredentials)', async () => {
    await start();
    await loggedInUser('http');
    const admin = await client();
    await admin.security.updateCredentials('local', 'mylehuong', { password: NEW_PASSWORD });
    expect(await logsIn(NEW_PASSWORD)).toBe(true);
  });

  it('does without it when requirePassword is false (Kuzzle)', async () => {
    await start({ plugins: { 'auth-local': { requirePassword: false } } });
    const user = await loggedInUser('http');
    await user.auth.updateMyCredentials('local', { password: NEW_PASSWORD });
    expect(await logsIn(NEW_PASSWORD)).toBe(true);
  });
});

describe('a login cannot mint a never-expiring token', () => {
  async function login(expiresIn: string | number) {
    const { status, json } = await postJson(
      server.url,
      `/_login/local?expiresIn=${expiresIn}`,
      JSON.stringify({ username: 'my', password: PASSWORD }),
    );
    return { status, error: json.error, result: json.result };
  }

  async function withUser(overrides: DeepPartial<TesseraConfig> = {}) {
    await start(overrides);
    const admin = await client();
    await admin.security.createUser('mylehuong', {
      content: { profileIds: ['default'] },
      credentials: credentials('my'),
    });
  }

  it('refuses expiresIn -1, and anything past one day, with security.token.ttl_exceeded', async () => {
    await withUser();
    for (const expiresIn of [-1, '25h', '2d']) {
      expect(await login(expiresIn)).toMatchObject({
        status: 400,
        error: { id: 'security.token.ttl_exceeded' },
      });
    }
    const sdk = await client('websocket');
    await expect(sdk.auth.login('local', { username: 'my', password: PASSWORD }, -1)).rejects.toMatchObject({
      id: 'security.token.ttl_exceeded',
    });
  });

  it('grants up to one day', async () => {
    await withUser();
    const { status, result } = await login('1d');
    expect(status).toBe(200);
    expect(result.ttl).toBe(DAY);
  });

  it('allows a never-expiring token when maxTTL is -1 (Kuzzle)', async () => {
    await withUser({ security: { jwt: { maxTTL: -1 } } });
    const { status, result } = await login(-1);
    expect(status).toBe(200);
    expect(result).toMatchObject({ expiresAt: -1, ttl: -1 });
  });
});
