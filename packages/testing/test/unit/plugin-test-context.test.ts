/**
 * createPluginTestContext gives a plugin the context the kernel gives it at boot, with the kernel's rules: a
 * scoped bus, capabilities checked against the strategies the plugin owns, its errors registered, and a restart
 * that drops what the previous setup registered.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, definePluginErrors, type PluginContext } from '@tessera/plugin-sdk';
import { createPluginTestContext, wireError, type PluginTestContext } from '../../src';

let test: PluginTestContext | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

/** A strategy whose methods are never called here: only its ownership matters. */
const inertStrategy = {
  authenticator: class {
    authenticate(): void {}
  },
  methods: Object.fromEntries(
    ['verify', 'exists', 'validate', 'create', 'update', 'delete'].map((method) => [
      method,
      () => Promise.resolve(true),
    ]),
  ),
} as never;

describe('createPluginTestContext', () => {
  it("builds the kernel's context: frozen, its own namespace, a child logger, a deep-frozen config", async () => {
    test = await createPluginTestContext({
      name: 'auth-x',
      config: { nested: { cost: 4 } },
      store: 'memory',
    });
    const { ctx } = test;
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(ctx.config['nested'])).toBe(true);
    expect(ctx.storage.name).toBe('plugin:auth-x');
    ctx.log.info('hello');
    expect(test.logs).toEqual([{ level: 'info', message: 'hello', fields: { plugin: 'auth-x' } }]);
  });

  it('lets the plugin emit its own events only, and hook the kernel’s', async () => {
    test = await createPluginTestContext({ name: 'auth-x', store: 'memory' });
    const heard: unknown[] = [];
    test.ctx.bus.hook('plugin:auth-x:*', (payload) => void heard.push(payload));
    test.ctx.bus.emit('plugin:auth-x:ready', { ok: true });
    expect(() => test?.ctx.bus.emit('token:revoked', {} as never)).toThrow(
      expect.objectContaining({ id: 'plugin.assert.event_not_owned' }),
    );
    await expect(test.ctx.bus.pipeline('credentials:updated', {} as never)).rejects.toMatchObject({
      id: 'plugin.assert.event_not_owned',
    });
    expect(heard).toEqual([{ ok: true }]);
  });

  it('runs credentials:updated for a strategy the plugin owns, and refuses one it does not', async () => {
    test = await createPluginTestContext({ name: 'auth-x', store: 'memory' });
    const piped: unknown[] = [];
    test.bus.pipe('credentials:updated', (payload) => {
      piped.push(payload);
      return payload;
    });
    await test.setup(
      definePlugin({
        setup: (ctx: PluginContext) => ctx.strategies.register('x', inertStrategy),
      }),
    );
    await test.ctx.accounts.credentialsChanged('kuid-1', { strategy: 'x' });
    expect(
      await wireError(test.ctx.accounts.credentialsChanged('kuid-1', { strategy: 'local' })),
    ).toMatchObject({ status: 500, id: 'plugin.assert.strategy_not_owned' });
    const change = { kuid: 'kuid-1', strategy: 'x', author: 'kuid-1', secretChanged: true };
    expect(piped).toEqual([change]);
    expect(test.accountCalls).toEqual([{ call: 'credentialsChanged', ...change }]);
  });

  it("registers the plugin's errors as the kernel does, refusing a declaration of another plugin", async () => {
    test = await createPluginTestContext({ name: 'auth-x', store: 'memory' });
    const errors = definePluginErrors('auth-y', 0xa0, { nope: { code: 1, status: 400, message: 'no' } });
    expect(await wireError(test.setup(definePlugin({ errors, setup: () => {} })))).toMatchObject({
      id: 'plugin.assert.invalid_definition',
    });
  });

  it('restarts the plugin: what the previous setup registered is gone, the storage stays', async () => {
    test = await createPluginTestContext({ name: 'auth-x' });
    const plugin = definePlugin({
      async setup(ctx: PluginContext) {
        ctx.strategies.register('x', inertStrategy);
        ctx.bus.pipe('auth:strategyAuthenticated', (payload) => payload);
        const seen = await ctx.storage.collection('setups');
        await seen.create({ at: 'setup' });
      },
    });
    await test.setup(plugin);
    test = await test.restart();
    expect(test.strategies.all()).toEqual([]);
    await test.setup(plugin);
    expect(test.strategies.all().map((strategy) => strategy.owner)).toEqual(['auth-x']);
    expect(await (await test.storage.collection('setups')).count()).toBe(2);
  });
});
