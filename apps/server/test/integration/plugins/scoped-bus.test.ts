/**
 * What a plugin may tell the kernel: its own events only, and credential changes only for the strategies it
 * registered. A plugin cannot forge a kernel event, nor make the kernel revoke the tokens of a user of a strategy
 * it does not own; the owner of `local` can (auth-local's reset flow relies on it).
 */
import { Http, Kuzzle } from 'kuzzle-sdk';
import { definePlugin, isTesseraError, type PluginContext } from '@tessera/plugin-sdk';
import type { PluginSource } from '@tessera/kernel';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

function capturing(name: string): { source: PluginSource; ctx: () => PluginContext } {
  let captured: PluginContext | undefined;
  const source: PluginSource = {
    manifest: { name, version: '1.0.0', kernel: '>=0.1.0 <1', main: 'index.js' },
    definition: definePlugin({
      setup(ctx) {
        captured = ctx;
      },
    }),
  };
  return { source, ctx: () => captured! };
}

async function errorOf(work: () => unknown): Promise<{ id: string; message: string }> {
  const error = await Promise.resolve()
    .then(work)
    .then(
      () => undefined,
      (reason: unknown) => reason,
    );
  if (!isTesseraError(error)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return { id: error.id, message: error.message };
}

describe('a plugin on the bus and on accounts', () => {
  const intruder = capturing('intruder');
  let server: TestKernel;
  let kuzzle: Kuzzle;
  let jwt: string;

  beforeEach(async () => {
    server = await startTestKernel({ plugins: [...builtInPlugins(), intruder.source] });
    kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    await kuzzle.security.createUser('victim', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'victim', password: 'password-1' } },
    });
    jwt = await kuzzle.auth.login('local', { username: 'victim', password: 'password-1' });
  });

  afterEach(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  const stillValid = async (): Promise<boolean> =>
    ((await kuzzle.auth.checkToken(jwt)) as { valid: boolean }).valid;

  it('cannot emit or run a pipeline of a kernel event, and no hook hears it', async () => {
    const heard: string[] = [];
    server.kernel.bus.hook('token:revoked', () => void heard.push('token:revoked'));
    server.kernel.bus.hook('auth:login', () => void heard.push('auth:login'));
    const { bus } = intruder.ctx();
    const forged = {
      kuid: 'victim',
      sessionId: 's',
      type: 'authToken',
      expiresAt: -1,
      reason: 'logout',
      author: 'victim',
    } as const;

    expect(await errorOf(() => bus.emit('token:revoked', forged))).toEqual({
      id: 'plugin.assert.event_not_owned',
      message:
        'Plugin "intruder" cannot emit "token:revoked": a plugin emits only its own events, named "plugin:intruder:<event>".',
    });
    expect(
      (await errorOf(() => bus.emit('auth:login', { kuid: 'victim', strategy: 'local', sessionId: 's' }))).id,
    ).toBe('plugin.assert.event_not_owned');
    const pipeline = { kuid: 'victim', strategy: 'local', author: 'victim', secretChanged: true };
    expect((await errorOf(() => bus.pipeline('credentials:updated', pipeline))).id).toBe(
      'plugin.assert.event_not_owned',
    );
    expect((await errorOf(() => bus.emit('plugin:auth-local:anything', {}))).id).toBe(
      'plugin.assert.event_not_owned',
    );
    expect(heard).toEqual([]);
    expect(await stillValid()).toBe(true);
  });

  it('emits its own events, which other plugins and the kernel may hook', async () => {
    const heard: unknown[] = [];
    server.kernel.bus.hook('plugin:intruder:*', (payload, event) => void heard.push([event, payload]));
    intruder.ctx().bus.emit('plugin:intruder:rang', { times: 2 });
    await expect(intruder.ctx().bus.pipeline('plugin:intruder:rang', { times: 3 })).resolves.toEqual({
      times: 3,
    });
    expect(heard).toEqual([
      ['plugin:intruder:rang', { times: 2 }],
      ['plugin:intruder:rang', { times: 3 }],
    ]);
  });

  it('cannot make the kernel revoke the tokens of a user of a strategy it does not own', async () => {
    const { accounts } = intruder.ctx();
    expect(await errorOf(() => accounts.credentialsChanged('victim', { strategy: 'local' }))).toEqual({
      id: 'plugin.assert.strategy_not_owned',
      message: 'Plugin "intruder" cannot act for the strategy "local": it did not register it.',
    });
    expect((await errorOf(() => accounts.credentialsCreated('victim', { strategy: 'local' }))).id).toBe(
      'plugin.assert.strategy_not_owned',
    );
    expect(await stillValid()).toBe(true);
  });

  it("revokes the user's tokens when the owner of the strategy changes a secret through its reset flow", async () => {
    const admin = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await admin.connect();
    try {
      const { resetToken } = (
        await admin.query({
          controller: 'auth-local/password',
          action: 'getResetPasswordToken',
          _id: 'victim',
        })
      ).result as { resetToken: string };
      await admin.query({
        controller: 'auth-local/password',
        action: 'reset',
        body: { token: resetToken, password: 'password-2' },
      });
    } finally {
      admin.disconnect();
    }
    expect(await stillValid()).toBe(false);
  });
});
