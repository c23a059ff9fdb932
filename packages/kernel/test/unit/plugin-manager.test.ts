import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  isTesseraError,
  tesseraError,
  type DocumentCollection,
  type EventBus,
  type PluginContext,
  type PluginDefinition,
  type TesseraError,
} from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { createRecordingLogger, type LogLine } from '@tessera/testing';
import {
  ActionRegistry,
  StrategyRegistry,
  createEventBus,
  createPluginManager,
  createStorageNamespace,
  type PluginManager,
  type PluginSource,
  type StoreAdapter,
} from '@tessera/kernel';

const KERNEL_VERSION = '0.1.0';
const FIXTURES = path.join(__dirname, '../fixtures/plugins');

const fixture = (name: string): PluginSource => ({ dir: path.join(FIXTURES, name) });

const inline = (name: string, definition: PluginDefinition, kernel = '>=0.1.0 <1'): PluginSource => ({
  manifest: { name, version: '1.0.0', kernel, main: 'index.js' },
  definition,
});

/** An inline plugin that records its setup and teardown in `events`. */
const recorder = (name: string, events: string[], teardown?: () => void): PluginSource =>
  inline(name, {
    setup: () => {
      events.push(`setup:${name}`);
    },
    teardown: () => {
      events.push(`teardown:${name}`);
      teardown?.();
    },
  });

/** An inline plugin that hands its context to the test. */
function capturing(name: string): { source: PluginSource; ctx: () => PluginContext } {
  let captured: PluginContext | undefined;
  const source = inline(name, {
    setup: (ctx) => {
      captured = ctx;
    },
  });
  return {
    source,
    ctx: () => {
      if (!captured) throw new Error(`${name} was not set up`);
      return captured;
    },
  };
}

/** Which fixture modules ran (each fixture's index.js records itself). */
const loadedFixtures = (): string[] | undefined =>
  (globalThis as { tesseraLoadedFixtures?: string[] }).tesseraLoadedFixtures;

async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isTesseraError(error)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return error;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every object and function reachable from `root` through properties and prototypes (getters not called). */
function reachable(root: unknown): Set<unknown> {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value))
      return;
    if (value === Object.prototype || value === Function.prototype) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) visit(Object.getOwnPropertyDescriptor(value, key)?.value);
    visit(Object.getPrototypeOf(value));
  };
  visit(root);
  return seen;
}

describe('createPluginManager', () => {
  let workdir: string;
  let adapter: StoreAdapter;
  let lines: LogLine[];
  let bus: EventBus;
  let strategies: StrategyRegistry;
  let registry: ActionRegistry;
  let createdUsers: { plugin: string; profileIds: string[] }[] = [];
  const identities = new Map([['my', { kuid: 'my', profileIds: ['default'], roleIds: ['default'] }]]);

  const boot = (
    options: { pluginConfig?: Record<string, unknown>; setupTimeout?: number; clock?: () => number } = {},
  ): PluginManager =>
    createPluginManager({
      adapter,
      bus,
      log: createRecordingLogger(lines),
      pluginConfig: options.pluginConfig ?? {},
      kernelVersion: KERNEL_VERSION,
      setupTimeout: options.setupTimeout ?? 1000,
      runTimeout: 1000,
      strategies,
      registry,
      identity: (kuid) => Promise.resolve(identities.get(kuid) ?? null),
      createUser: (plugin, user) => {
        createdUsers.push({ plugin, profileIds: [...user.profileIds] });
        return Promise.resolve(`kuid-${plugin}-${createdUsers.length}`);
      },
      credentialsCreated: () => Promise.resolve(),
      credentialsChanged: () => Promise.resolve(),
      clock: options.clock,
    });

  beforeEach(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'tessera-plugins-'));
    adapter = createSqliteStore({ path: path.join(workdir, 'store.db') });
    strategies = new StrategyRegistry();
    registry = new ActionRegistry();
    await adapter.open();
    lines = [];
    bus = createEventBus(createRecordingLogger(lines));
    // Fixture modules record themselves when they run: run them afresh in every test.
    jest.resetModules();
    delete (globalThis as { tesseraLoadedFixtures?: string[] }).tesseraLoadedFixtures;
  });

  afterEach(async () => {
    await adapter.close();
    await rm(workdir, { recursive: true, force: true });
  });

  describe('load', () => {
    it("announces each plugin's setup time, measured on the manager's clock, once its setup resolved", async () => {
      let clock = 1000;
      const ready: unknown[] = [];
      bus.hook('plugin:ready', (payload) => {
        ready.push(payload);
      });
      const manager = boot({ clock: () => clock });
      await manager
        .load([
          inline('slow-setup', {
            setup: () => {
              clock += 250;
            },
          }),
          inline('quick-setup', { setup: () => {} }),
          inline('failing-setup', {
            setup: () => {
              throw new Error('no');
            },
          }),
        ])
        .catch(() => undefined);
      expect(ready).toEqual([
        { plugin: 'slow-setup', version: '1.0.0', setupMs: 250 },
        { plugin: 'quick-setup', version: '1.0.0', setupMs: 0 },
      ]);
    });

    it('loads a plugin folder whose setup uses its storage and registers a pipe and a hook', async () => {
      const manager = boot({ pluginConfig: { 'good-plugin': { greeting: 'Hi' } } });

      await manager.load([fixture('good-plugin')]);

      expect(loadedFixtures()).toEqual(['good-plugin']);
      expect(manager.list()).toEqual([{ name: 'good-plugin', version: '1.0.0' }]);
      await expect(bus.pipeline('greeting:compose', { to: 'Ada' })).resolves.toEqual({
        to: 'Ada',
        text: 'Hi, Ada!',
      });
      bus.emit('greeting:sent', { to: 'Ada' });
      expect(lines).toContainEqual({
        level: 'info',
        message: 'greeting sent',
        fields: { plugin: 'good-plugin', to: 'Ada' },
      });
      const notes = await createStorageNamespace(adapter, 'plugin:good-plugin').collection('notes');
      expect(await notes.get('setup')).toEqual({ _id: 'setup', _source: { greeting: 'Hi' } });
    });

    it.each([
      ['bad-manifest-missing-name', 'plugin.manifest.invalid_field'],
      ['bad-manifest-bad-name', 'plugin.manifest.invalid_field'],
      ['bad-manifest-bad-version', 'plugin.manifest.invalid_field'],
      ['bad-manifest-kernel-invalid', 'plugin.manifest.invalid_field'],
      ['bad-manifest-kernel-range', 'plugin.manifest.version_mismatch'],
      ['bad-manifest-main-outside', 'plugin.manifest.invalid_field'],
      ['bad-manifest-main-missing', 'plugin.manifest.invalid_field'],
      ['bad-manifest-not-json', 'plugin.manifest.cannot_load'],
    ])('refuses %s with %s before running any plugin code', async (name, id) => {
      const manager = boot();

      const error = await failure(manager.load([fixture('good-plugin'), fixture(name)]));

      expect(error.id).toBe(id);
      expect(error.message).toContain(name);
      // Not even the good plugin listed first ran: every manifest is checked before any code loads.
      expect(loadedFixtures()).toBeUndefined();
      expect(manager.list()).toEqual([]);
    });

    it('checks a built-in plugin manifest too, without running its setup', async () => {
      const events: string[] = [];
      const manager = boot();

      const badName = await failure(manager.load([recorder('Built_In', events)]));
      const tooNew = await failure(
        manager.load([inline('built-in', { setup: () => void events.push('setup:built-in') }, '>=2')]),
      );

      expect(badName.id).toBe('plugin.manifest.invalid_field');
      expect(badName.message).toContain('[Built_In/manifest.json] Invalid field "name"');
      expect(tooNew.id).toBe('plugin.manifest.version_mismatch');
      expect(tooNew.message).toContain('[built-in/manifest.json]');
      expect(events).toEqual([]);
    });

    it('refuses a module that exports no plugin definition with plugin.assert.invalid_definition', async () => {
      const error = await failure(boot().load([fixture('no-setup')]));

      expect(error.id).toBe('plugin.assert.invalid_definition');
      expect(error.message).toContain('Plugin "no-setup"');
      expect(error.message).toContain('setup function');
    });

    it('refuses a module that throws while loading with plugin.assert.cannot_load', async () => {
      const dir = path.join(workdir, 'broken');
      await mkdir(dir);
      await writeFile(
        path.join(dir, 'manifest.json'),
        JSON.stringify({ name: 'broken', version: '1.0.0', kernel: '>=0.1.0 <1', main: 'index.js' }),
      );
      await writeFile(path.join(dir, 'index.js'), "throw new Error('missing dependency');");

      const error = await failure(boot().load([{ dir }]));

      expect(error.id).toBe('plugin.assert.cannot_load');
      expect(error.message).toContain(path.join('broken', 'index.js'));
      expect(error.message).toContain('missing dependency');
    });

    it('refuses two plugins with the same name, in one load or across loads, before any setup', async () => {
      const events: string[] = [];
      const manager = boot();

      const sameLoad = await failure(manager.load([recorder('alpha', events), recorder('alpha', events)]));
      await manager.load([recorder('alpha', events)]);
      const laterLoad = await failure(manager.load([recorder('beta', events), recorder('alpha', events)]));

      expect(sameLoad.id).toBe('plugin.assert.name_already_exists');
      expect(laterLoad.id).toBe('plugin.assert.name_already_exists');
      expect(laterLoad.message).toContain('alpha');
      expect(events).toEqual(['setup:alpha']);
      expect(manager.list()).toEqual([{ name: 'alpha', version: '1.0.0' }]);
    });
  });

  describe('dependsOn', () => {
    const dependent = (name: string, dependsOn: string[], events: string[]): PluginSource => ({
      manifest: { name, version: '1.0.0', kernel: '>=0.1.0 <1', main: 'index.js', dependsOn },
      definition: { setup: () => void events.push(name) },
    });

    it('sets plugins up after the plugins they depend on, whatever the configured order', async () => {
      const events: string[] = [];
      await boot().load([
        dependent('second-factor', ['password', 'provider'], events),
        dependent('provider', [], events),
        dependent('password', ['provider'], events),
      ]);
      expect(events).toEqual(['provider', 'password', 'second-factor']);
    });

    it('refuses the boot, setting nothing up, when a dependency is not loaded, naming both plugins', async () => {
      const events: string[] = [];
      const error = await failure(
        boot().load([dependent('provider', [], events), dependent('second-factor', ['password'], events)]),
      );
      expect(error.id).toBe('plugin.manifest.missing_dependency');
      expect(error.message).toBe(
        '[second-factor/manifest.json] Depends on the plugin "password", which is not loaded (add it to plugins.paths).',
      );
      expect(events).toEqual([]);
    });

    it('refuses a dependency cycle and a dependsOn that is not a list of other plugin names', async () => {
      const events: string[] = [];
      const cycle = await failure(
        boot().load([dependent('a', ['b'], events), dependent('b', ['a'], events)]),
      );
      expect(cycle.message).toMatch(
        /^\[[ab]\/manifest.json\] Invalid field "dependsOn": its dependencies form a cycle$/,
      );
      const self = await failure(boot().load([dependent('a', ['a'], events)]));
      expect(self.message).toMatch(/^\[a\/manifest.json\] Invalid field "dependsOn": expected an array/);
      expect(events).toEqual([]);
    });
  });

  describe('setup and teardown', () => {
    it('sets the plugins up in order and tears them down in reverse order', async () => {
      const events: string[] = [];
      const manager = boot();

      await manager.load([recorder('alpha', events), recorder('beta', events), recorder('gamma', events)]);
      expect(manager.list().map(({ name }) => name)).toEqual(['alpha', 'beta', 'gamma']);
      await manager.teardown();

      expect(events).toEqual([
        'setup:alpha',
        'setup:beta',
        'setup:gamma',
        'teardown:gamma',
        'teardown:beta',
        'teardown:alpha',
      ]);
      expect(manager.list()).toEqual([]);
    });

    it('logs a failing teardown with the plugin name and still tears the others down', async () => {
      const events: string[] = [];
      const manager = boot();
      await manager.load([
        recorder('alpha', events),
        recorder('beta', events, () => {
          throw new Error('cannot flush');
        }),
        recorder('gamma', events),
      ]);

      await manager.teardown();

      expect(events.filter((event) => event.startsWith('teardown'))).toEqual([
        'teardown:gamma',
        'teardown:beta',
        'teardown:alpha',
      ]);
      const logged = lines.find((line) => line.message === 'plugin teardown failed');
      expect(logged?.fields.plugin).toBe('beta');
      expect(logged?.fields.error).toEqual(new Error('cannot flush'));
    });

    it('stops the load with plugin.runtime.failed_init when a setup throws, after tearing down those set up', async () => {
      const events: string[] = [];
      const manager = boot();

      const error = await failure(
        manager.load([
          recorder('alpha', events),
          recorder('beta', events),
          fixture('throwing-setup'),
          recorder('gamma', events),
        ]),
      );

      expect(error.id).toBe('plugin.runtime.failed_init');
      expect(error.message).toBe(
        'Something went wrong during initialization of "throwing-setup" plugin: the licence server is unreachable',
      );
      expect(error.cause).toEqual(new Error('the licence server is unreachable'));
      expect(events).toEqual(['setup:alpha', 'setup:beta', 'teardown:beta', 'teardown:alpha']);
      expect(manager.list()).toEqual([]);
      // The hook the failed plugin registered before throwing is gone.
      bus.emit('greeting:sent', { to: 'Ada' });
      expect(lines.map((line) => line.message)).not.toContain('throwing-setup heard a greeting');
    });

    it('stops the load with plugin.runtime.init_timeout when a setup outlasts the timeout', async () => {
      const events: string[] = [];
      const manager = boot({ setupTimeout: 50 });

      const error = await failure(manager.load([recorder('alpha', events), fixture('slow-setup')]));

      expect(error.id).toBe('plugin.runtime.init_timeout');
      expect(error.message).toBe('Plugin "slow-setup": setup did not finish within 50ms.');
      expect(events).toEqual(['setup:alpha', 'teardown:alpha']);
      expect(manager.list()).toEqual([]);
    });

    it('unsubscribes every hook and pipe of a plugin at teardown, and its own unsubscribe functions work', async () => {
      const heard: string[] = [];
      const manager = boot();
      let unsubscribeHook = (): void => {};
      await manager.load([
        inline('listener', {
          setup: ({ bus: pluginBus }) => {
            unsubscribeHook = pluginBus.hook('order:created', () => {
              heard.push('early hook');
            });
            pluginBus.hook('order:created', () => {
              heard.push('hook');
            });
            pluginBus.pipe('order:price', (price) => Number(price) * 2);
          },
        }),
      ]);

      unsubscribeHook();
      bus.emit('order:created', {});
      await expect(bus.pipeline('order:price', 10)).resolves.toBe(20);
      await manager.teardown();
      bus.emit('order:created', {});
      await expect(bus.pipeline('order:price', 10)).resolves.toBe(10);

      // One `hook` per emit before teardown (pipeline fires hooks too, of its own event only).
      expect(heard).toEqual(['hook']);
    });

    it('keeps nothing a plugin registers after its teardown', async () => {
      const heard: string[] = [];
      const plugin = capturing('late');
      const manager = boot();
      await manager.load([plugin.source]);
      await manager.teardown();

      plugin.ctx().bus.hook('order:created', () => {
        heard.push('late hook');
      });
      plugin.ctx().bus.pipe('order:price', () => 0);
      bus.emit('order:created', {});

      expect(heard).toEqual([]);
      await expect(bus.pipeline('order:price', 10)).resolves.toBe(10);
      expect(lines).toContainEqual({
        level: 'warn',
        message: 'ignored a hook or pipe registered after the plugin was torn down',
        fields: { plugin: 'late' },
      });
    });
  });

  describe('the plugin context', () => {
    it('is frozen, with a deep-frozen copy of the plugin config, a child logger and the error helpers', async () => {
      const source = { level: { depth: 1 }, tags: ['a'] };
      const plugin = capturing('configured');
      await boot({ pluginConfig: { configured: source } }).load([plugin.source]);
      const ctx = plugin.ctx();

      source.level.depth = 2;
      source.tags.push('b');
      ctx.log.info('hello');

      expect(ctx.name).toBe('configured');
      expect(ctx.config).toEqual({ level: { depth: 1 }, tags: ['a'] });
      for (const frozen of [ctx, ctx.config, ctx.config.level, ctx.config.tags, ctx.errors, ctx.bus]) {
        expect(Object.isFrozen(frozen)).toBe(true);
      }
      expect(lines).toContainEqual({ level: 'info', message: 'hello', fields: { plugin: 'configured' } });
      expect(ctx.errors.is(ctx.errors.create('plugin.runtime.unexpected_error', 'x'))).toBe(true);
    });

    it('gives an empty frozen config to a plugin without one', async () => {
      const plugin = capturing('bare');
      await boot().load([plugin.source]);

      expect(plugin.ctx().config).toEqual({});
      expect(Object.isFrozen(plugin.ctx().config)).toBe(true);
    });

    it('SANDBOX: storage reaches only the plugin namespace, and nothing in the context reaches the adapter', async () => {
      const alpha = capturing('alpha');
      const beta = capturing('beta');
      await boot().load([alpha.source, beta.source]);
      const users = (ctx: PluginContext): Promise<DocumentCollection> => ctx.storage.collection('users');
      const alphaUsers = await users(alpha.ctx());
      const kernelUsers = await createStorageNamespace(adapter, 'kernel').collection('users');

      // Same id in three same-named collections: no conflict, and each sees only its own.
      await alphaUsers.create({ owner: 'alpha' }, 'ada');
      await (await users(beta.ctx())).create({ owner: 'beta' }, 'ada');
      await kernelUsers.create({ owner: 'kernel' }, 'ada');

      expect(await alphaUsers.get('ada')).toEqual({ _id: 'ada', _source: { owner: 'alpha' } });
      expect(await (await users(beta.ctx())).count()).toBe(1);
      expect(await kernelUsers.get('ada')).toEqual({ _id: 'ada', _source: { owner: 'kernel' } });
      expect(alpha.ctx().storage.name).toBe('plugin:alpha');

      expect(Object.keys(alpha.ctx()).sort()).toEqual([
        'accounts',
        'api',
        'bus',
        'config',
        'errors',
        'identity',
        'log',
        'name',
        'storage',
        'strategies',
      ]);
      expect(Object.keys(alpha.ctx().strategies).sort()).toEqual(['register', 'unregister']);
      expect(Object.keys(alpha.ctx().api)).toEqual(['register', 'execute']);
      expect(Object.keys(alpha.ctx().identity)).toEqual(['describe', 'profiles']);
      expect(Object.keys(alpha.ctx().accounts)).toEqual([
        'createUser',
        'credentialsCreated',
        'credentialsChanged',
      ]);
      expect(Object.isFrozen(alpha.ctx().accounts)).toBe(true);
      createdUsers = [];
      expect(await alpha.ctx().accounts.createUser({ profileIds: ['default'] })).toBe('kuid-alpha-1');
      expect(createdUsers).toEqual([{ plugin: 'alpha', profileIds: ['default'] }]);
      expect(Object.keys(alpha.ctx().storage).filter((key) => !['name', 'collection'].includes(key))).toEqual(
        [],
      );
      const fromContext = reachable([alpha.ctx(), alphaUsers]);
      expect(fromContext.has(adapter)).toBe(false);
      expect(fromContext.has(bus)).toBe(false);
      expect(fromContext.has(beta.ctx())).toBe(false);
    });
  });

  describe('the plugin bus', () => {
    it('turns a pipe failure into plugin.runtime.unexpected_error naming the plugin, not what it threw (kept as the cause)', async () => {
      const crash = new Error('disk full');
      await boot().load([
        inline('clumsy', {
          setup: ({ bus: pluginBus }) => {
            pluginBus.pipe('order:check', () => {
              throw crash;
            });
            pluginBus.pipe('order:validate', () => Promise.reject(crash));
          },
        }),
      ]);

      for (const event of ['order:check', 'order:validate']) {
        const error = await failure(bus.pipeline(event, {}));

        expect(error.id).toBe('plugin.runtime.unexpected_error');
        expect(error.message).toBe(`Caught an unexpected plugin error: plugin "clumsy" failed on "${event}"`);
        expect(error.cause).toBe(crash);
      }
    });

    it('passes a TesseraError thrown by a pipe through unchanged: a deliberate refusal', async () => {
      const refusal = tesseraError('security.rights.forbidden', 'order', 'create', 'ada');
      await boot().load([
        inline('gatekeeper', {
          setup: ({ bus: pluginBus }) => {
            pluginBus.pipe('order:check', () => {
              throw refusal;
            });
          },
        }),
      ]);

      await expect(bus.pipeline('order:check', {})).rejects.toBe(refusal);
    });

    it('logs a failing hook with the plugin name without disturbing emit or the other listeners', async () => {
      const heard: unknown[] = [];
      bus.hook('order:created', (payload) => {
        heard.push(payload);
      });
      await boot().load([
        inline('noisy', {
          setup: ({ bus: pluginBus }) => {
            pluginBus.hook('order:created', () => {
              throw new Error('sync boom');
            });
            pluginBus.hook('order:created', () => Promise.reject(new Error('async boom')));
          },
        }),
      ]);

      expect(() => bus.emit('order:created', { id: 1 })).not.toThrow();
      await nextTurn();

      expect(heard).toEqual([{ id: 1 }]);
      const failures = lines.filter((line) => line.level === 'error');
      expect(failures.map(({ message, fields }) => [message, fields.plugin, fields.event])).toEqual([
        ['hook listener failed', 'noisy', 'order:created'],
        ['hook listener failed', 'noisy', 'order:created'],
      ]);
      expect(failures.map(({ fields }) => (fields.error as Error).message)).toEqual([
        'sync boom',
        'async boom',
      ]);
    });

    it('lets a plugin emit and run pipelines of its own events (plugin:<name>:*) through the kernel bus', async () => {
      const plugin = capturing('talker');
      await boot().load([plugin.source]);
      const heard: unknown[] = [];
      bus.hook('plugin:talker:said', (payload) => {
        heard.push(payload);
      });
      bus.pipe('plugin:talker:shout', (text) => String(text).toUpperCase());

      plugin.ctx().bus.emit('plugin:talker:said', 'hello');

      expect(heard).toEqual(['hello']);
      await expect(plugin.ctx().bus.pipeline('plugin:talker:shout', 'hey')).resolves.toBe('HEY');
      expect(() => plugin.ctx().bus.emit('talk:said', 'hello')).toThrow(
        expect.objectContaining({ id: 'plugin.assert.event_not_owned' }),
      );
      await expect(plugin.ctx().bus.pipeline('talk:shout', 'hey')).rejects.toMatchObject({
        id: 'plugin.assert.event_not_owned',
      });
      expect(heard).toEqual(['hello']);
    });
  });
});

describe('plugin API actions, strategies and identity', () => {
  it('registers actions as <plugin>/<controller> with Kuzzle plugin routes, and removes them at teardown', async () => {
    const adapter = createSqliteStore({ path: ':memory:' });
    await adapter.open();
    const registry = new ActionRegistry();
    const strategies = new StrategyRegistry();
    let described: unknown;
    const manager = createPluginManager({
      adapter,
      bus: createEventBus(createRecordingLogger([])),
      log: createRecordingLogger([]),
      pluginConfig: {},
      kernelVersion: KERNEL_VERSION,
      setupTimeout: 1000,
      runTimeout: 1000,
      strategies,
      registry,
      identity: (kuid) => Promise.resolve({ kuid, profileIds: ['admin'], roleIds: ['admin'] }),
      createUser: () => Promise.reject(new Error('not in this test')),
      credentialsCreated: () => Promise.reject(new Error('not in this test')),
      credentialsChanged: () => Promise.reject(new Error('not in this test')),
    });
    await manager.load([
      {
        manifest: { name: 'reset', version: '1.0.0', kernel: '*', main: 'index.js' },
        definition: {
          async setup(ctx) {
            ctx.api.register('password', {
              reset: { http: [{ verb: 'POST', path: '/password/reset' }], handler: () => 'done' },
              token: { http: [{ verb: 'GET', path: 'token/:_id' }], handler: () => 'token' },
            });
            ctx.bus.hook('auth:login', () => {});
            ctx.bus.hook('auth:login', () => {});
            ctx.bus.pipe('request:beforeExecution', (request) => request);
            described = await ctx.identity.describe('my');
          },
        },
      },
    ]);
    const routes = [
      { verb: 'POST', path: '/_/password/reset', controller: 'reset/password', action: 'reset' },
      { verb: 'GET', path: '/_/reset/token/:_id', controller: 'reset/password', action: 'token' },
    ];
    expect(registry.routes()).toEqual(routes.map((route) => ({ ...route, kind: 'published' })));
    expect(described).toEqual({ kuid: 'my', profileIds: ['admin'], roleIds: ['admin'] });
    // What server:info reports of it, in Kuzzle's shape.
    expect(manager.describe()).toEqual({
      reset: {
        version: '1.0.0',
        manifest: { name: 'reset', version: '1.0.0', kernel: '*' },
        controllers: ['reset/password'],
        hooks: ['auth:login'],
        pipes: ['request:beforeExecution'],
        routes,
        strategies: [],
      },
    });
    await manager.teardown();
    expect(registry.routes()).toEqual([]);
    expect(manager.describe()).toEqual({});
    await adapter.close();
  });
});
