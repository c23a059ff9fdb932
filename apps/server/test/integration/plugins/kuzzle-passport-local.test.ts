/**
 * Kuzzle's own local strategy plugin, kuzzle-plugin-auth-passport-local 6.4.1, installed from npm (a dev
 * dependency: nothing is installed at run time) and loaded unmodified from node_modules through plugins.paths,
 * in place of the built-in auth-local, driven by the real kuzzle-sdk over HTTP and WebSocket.
 */
import { dirname } from 'node:path';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { pluginFormats } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const PLUGIN = 'kuzzle-plugin-auth-passport-local';
const PLUGIN_DIR = dirname(require.resolve(`${PLUGIN}/package.json`));
const ADMIN_PASSWORD = 'Keys to the kingdom 1';

/** Its password policies: 8 characters or more and not the username, for all; operators change theirs first. */
const pluginConfig = {
  passwordPolicies: [
    { appliesTo: '*', forbidLoginInPassword: true, passwordRegex: '.{8,}' },
    { appliesTo: { profiles: ['operator'] }, mustChangePasswordIfSetByAdmin: true },
  ],
};

interface WireError {
  status: number;
  id: string;
  code: number;
  message: string;
  resetToken?: string;
  stack?: unknown;
}

let server: TestKernel;
let admin: Kuzzle;

beforeAll(async () => {
  server = await startTestKernel({
    plugins: [],
    pluginFormats: pluginFormats(),
    overrides: {
      plugins: { paths: [PLUGIN_DIR], [PLUGIN]: pluginConfig },
      // Many logins of one user from one address: throttling is not what this file checks.
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    },
  });
  admin = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await admin.connect();
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'root', password: ADMIN_PASSWORD } } },
    { reset: true },
  );
  await admin.auth.login('local', { username: 'root', password: ADMIN_PASSWORD });
  await admin.security.createProfile('operator', { policies: [{ roleId: 'default' }] });
  // The plugin's README: anonymous callers may reset a password with a reset token.
  const anonymous = await admin.security.getRole('anonymous');
  await admin.security.updateRole('anonymous', {
    controllers: { ...anonymous.controllers, [`${PLUGIN}/password`]: { actions: { reset: true } } },
  });
});

afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

async function refusal(promise: Promise<unknown>): Promise<WireError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as WireError,
  );
}

/** The raw answer to a login over HTTP: what the SDK keeps of an error leaves out the reset token. */
async function wireLogin(
  username: string,
  password: string,
): Promise<{ status: number; error: WireError | null }> {
  const response = await fetch(`${server.url}/_login/local`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (await response.json()) as { status: number; error: WireError | null };
}

describe('kuzzle-plugin-auth-passport-local through the Kuzzle compatibility layer', () => {
  it('is loaded from node_modules as the owner of the local strategy, with its version', async () => {
    const { serverInfo } = (await admin.server.info({})) as {
      serverInfo: { kuzzle: { plugins: Record<string, { version: string; strategies: string[] }> } };
    };
    expect(serverInfo.kuzzle.plugins[PLUGIN]).toMatchObject({ version: '6.4.1', strategies: ['local'] });
    expect(Object.keys(serverInfo.kuzzle.plugins)).not.toContain('auth-local');
    expect(await admin.auth.getStrategies()).toEqual(['local']);
  });

  it('refuses passwords its policies forbid, with its own error ids and codes', async () => {
    const create = (password: string) =>
      admin.security.createUser('alice', {
        content: { profileIds: ['default'] },
        credentials: { local: { username: 'alice', password } },
      });
    expect(await refusal(create('alice-and-more'))).toMatchObject({
      status: 400,
      id: `plugin.${PLUGIN}.login_in_password`,
      code: 0x04ff0004,
      message: 'Password cannot contain Username',
    });
    expect(await refusal(create('short'))).toMatchObject({
      status: 400,
      id: `plugin.${PLUGIN}.weak_password`,
      code: 0x04ff0007,
    });
    await expect(admin.security.getUser('alice')).rejects.toMatchObject({ id: 'security.user.not_found' });
  });

  it('creates a user with its credentials, who logs in over HTTP and WebSocket and reads them back', async () => {
    await admin.security.createUser('alice', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'alice', password: 'correct horse battery' } },
    });
    expect(await admin.security.getCredentials('local', 'alice')).toEqual({
      username: 'alice',
      kuid: 'alice',
    });
    for (const protocol of [
      new Http('127.0.0.1', { port: server.port }),
      new WebSocket('127.0.0.1', { port: server.port }),
    ]) {
      const alice = new Kuzzle(protocol);
      try {
        await alice.connect();
        const jwt = await alice.auth.login('local', { username: 'alice', password: 'correct horse battery' });
        expect(jwt).toMatch(/^kauth-/);
        expect((await alice.auth.getCurrentUser())._id).toBe('alice');
        expect(await alice.auth.getMyCredentials('local')).toEqual({ username: 'alice', kuid: 'alice' });
        expect(await alice.auth.credentialsExist('local')).toBe(true);
        expect(
          await refusal(alice.auth.login('local', { username: 'alice', password: 'wrong horse battery' })),
        ).toMatchObject({
          status: 401,
          id: 'plugin.strategy.missing_user',
          message: 'wrong username or password',
        });
      } finally {
        alice.disconnect();
      }
    }
  });

  it('refuses a login whose password its policy says must change, with a reset token in the error', async () => {
    await admin.security.createUser('bob', {
      content: { profileIds: ['operator'] },
      credentials: { local: { username: 'bob', password: 'set by the admin' } },
    });
    const { status, error } = await wireLogin('bob', 'set by the admin');
    expect(status).toBe(401);
    expect(error).toMatchObject({
      id: `plugin.${PLUGIN}.must_change_password`,
      code: 0x04ff0005,
      resetToken: expect.any(String) as unknown,
    });
    expect(error).not.toHaveProperty('stack');
    // Not for alice, whose profile the policy does not name.
    expect((await wireLogin('alice', 'correct horse battery')).error).toBeNull();
  });

  it('resets a password with the reset token of its controller, and logs the user in with the new one', async () => {
    const { resetToken } = (
      await admin.query({ controller: `${PLUGIN}/password`, action: 'getResetPasswordToken', _id: 'alice' })
    ).result as { resetToken: string };
    expect(typeof resetToken).toBe('string');

    const anonymous = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    try {
      await anonymous.connect();
      expect(
        await refusal(
          anonymous.query({
            controller: `${PLUGIN}/password`,
            action: 'reset',
            body: { token: 'not a token', password: 'another passphrase' },
          }),
        ),
      ).toMatchObject({ status: 400, id: `plugin.${PLUGIN}.invalid_token`, code: 0x04ff0003 });
      const reset = (
        await anonymous.query({
          controller: `${PLUGIN}/password`,
          action: 'reset',
          body: { token: resetToken, password: 'a brand new passphrase' },
        })
      ).result as { _id: string; jwt: string };
      // The plugin logs the user in through accessors.execute, on behalf of the anonymous caller.
      expect(reset).toMatchObject({ _id: 'alice', jwt: expect.stringMatching(/^kauth-/) as unknown });
      anonymous.jwt = reset.jwt;
      expect((await anonymous.auth.getCurrentUser())._id).toBe('alice');
    } finally {
      anonymous.disconnect();
    }

    // Over HTTP too, the route Kuzzle gives the action.
    const response = await fetch(`${server.url}/_/password/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: resetToken, password: 'short' }),
    });
    expect(((await response.json()) as { error: WireError }).error).toMatchObject({
      id: `plugin.${PLUGIN}.weak_password`,
    });

    expect((await wireLogin('alice', 'correct horse battery')).error).toMatchObject({
      id: 'plugin.strategy.missing_user',
    });
    expect((await wireLogin('alice', 'a brand new passphrase')).error).toBeNull();
  });

  it('finds credentials by kuid exactly, as on a keyword field of Elasticsearch', async () => {
    await admin.security.createUser('ali', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'ali-the-second', password: 'yet another passphrase' } },
    });
    // "ali" is contained in "alice": Kuzzle's keyword match must not confuse them.
    expect(await admin.security.getCredentials('local', 'ali')).toEqual({
      username: 'ali-the-second',
      kuid: 'ali',
    });
    expect(await admin.security.getCredentials('local', 'alice')).toEqual({
      username: 'alice',
      kuid: 'alice',
    });
  });
});
