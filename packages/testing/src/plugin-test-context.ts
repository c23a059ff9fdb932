/**
 * createPluginTestContext: the context a plugin runs with, for its unit tests, without a server. The context is
 * built by the kernel's own factory (`createPluginContext`, the one the plugin manager uses at boot), over real
 * parts: the plugin's storage namespace on SQLite (a file in a temporary folder, or in memory), the kernel's
 * event bus behind the plugin's scoped facade, the kernel's strategy and action registries, and the kernel's
 * plugin error registry. What the kernel would do beyond the plugin's reach (create a user, revoke tokens after a
 * credentials change) is recorded, and run on the bus as the kernel would: `credentials:created` is emitted and
 * the `credentials:updated` pipeline runs, so a test can pipe or hook them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActionRegistry,
  StrategyRegistry,
  authenticate,
  createEventBus,
  copyPluginConfig,
  createPluginContext,
  createPluginErrorRegistry,
  resolvePluginConfig,
  passportRequestOf,
  type AuthenticationOutcome,
  type PluginContextDeps,
  type PluginErrorRegistry,
  type RegisteredStrategy,
} from '@tessera/kernel';
import type {
  ApiRequest,
  EventBus,
  IdentitySummary,
  JsonObject,
  PluginContext,
  PluginDefinition,
  PluginNewUser,
  StorageNamespace,
} from '@tessera/plugin-sdk';
import type { StoreAdapter } from '@tessera/store';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { apiRequest } from './api-request';
import { createRecordingLogger, type LogLine } from './recording-logger';

export interface PluginTestContextOptions {
  /** The plugin's manifest name: it names its storage namespace (`plugin:<name>`) and config section. */
  readonly name: string;
  /** `plugins.<name>`: checked by the plugin's `configSchema` at `setup` and deep-frozen, as at boot. */
  readonly config?: Record<string, unknown>;
  /**
   * Where the plugin's namespace lives: `'file'` (the default), a SQLite file in a temporary folder removed by
   * `close`; `'memory'`, an in-memory SQLite database; or an open adapter the test owns (shared by the contexts of
   * a restart, or another engine), which `close` leaves open.
   */
  readonly store?: 'file' | 'memory' | StoreAdapter;
  /** What `ctx.identity.describe` answers; tests may add users to it later. */
  readonly identities?: Map<string, IdentitySummary>;
  /** Milliseconds one of the plugin's pipes or actions may take (the kernel's `plugins.runTimeout`). */
  readonly runTimeout?: number;
  /** Where the plugin's log lines go (a fresh array by default). */
  readonly logs?: LogLine[];
}

/** What the plugin told the kernel through `ctx.accounts`, in order. */
export type AccountCall =
  | { readonly call: 'createUser'; readonly kuid: string; readonly user: PluginNewUser }
  | {
      readonly call: 'credentialsCreated';
      readonly kuid: string;
      readonly strategy: string;
      readonly author: string;
    }
  | {
      readonly call: 'credentialsChanged';
      readonly kuid: string;
      readonly strategy: string;
      readonly author: string;
      readonly secretChanged: boolean;
    };

export interface PluginTestContext {
  /**
   * The plugin's frozen context, from the kernel's factory. Its `config` is the section as given until `setup`,
   * which builds the context again around what the plugin's `configSchema` returned.
   */
  readonly ctx: PluginContext;
  /**
   * The store under the plugin's namespace. Another context created with `{ store }` is another instance of the
   * plugin sharing the database (a second node), with a bus and registries of its own.
   */
  readonly store: StoreAdapter;
  readonly storage: StorageNamespace;
  /** The kernel's bus, unscoped: the test may emit kernel events and run kernel pipelines the plugin listens to. */
  readonly bus: EventBus;
  /** The kernel's strategy registry: what the plugin registered, wrapped as the kernel wraps it. */
  readonly strategies: StrategyRegistry;
  readonly identities: Map<string, IdentitySummary>;
  readonly logs: LogLine[];
  readonly accountCalls: AccountCall[];
  /**
   * As the kernel does at boot: checks the config with the plugin's `configSchema` (rejecting as the boot would),
   * registers the plugin's errors, then runs its setup with `ctx`.
   */
  setup<Config>(definition: PluginDefinition<Config>): Promise<void>;
  /** The strategy `name` as the kernel registered it (`security.credentials.unknown_strategy` if none). */
  strategy(name: string): RegisteredStrategy;
  /** Logs in with the strategy `name` through the kernel's passport driver, as `auth:login` does. */
  login(
    name: string,
    input: { body?: JsonObject; args?: Record<string, unknown> },
  ): Promise<AuthenticationOutcome>;
  /** Runs the action `<plugin>/<controller>:<action>` the plugin registered, as the funnel would. */
  action(controller: string, action: string, request?: ApiRequest): Promise<unknown>;
  /** The wire routes of the actions the plugin registered (`/_/<path>` and `/_/<plugin>/<path>`). */
  routes(): { verb: string; path: string; controller: string; action: string }[];
  /**
   * Releases what the plugin registered (hooks, pipes, strategies, actions, errors), runs its teardown, and
   * builds a new context on the same store, bus, identities and logs: the plugin restarted, maybe with another
   * config. Call `setup` on the new one.
   */
  restart(config?: Record<string, unknown>): Promise<PluginTestContext>;
  /** Releases what the plugin registered, runs its teardown, and closes the store it opened. */
  close(): Promise<void>;
}

const DEFAULT_RUN_TIMEOUT = 10_000;

export async function createPluginTestContext(options: PluginTestContextOptions): Promise<PluginTestContext> {
  const { store = 'file' } = options;
  if (typeof store !== 'string') return contextOn(store, options, async () => {});
  const dir = store === 'file' ? mkdtempSync(join(tmpdir(), `tessera-${options.name}-`)) : null;
  const adapter = createSqliteStore({ path: dir === null ? ':memory:' : join(dir, 'tessera.db') });
  const closeStore = async (): Promise<void> => {
    await adapter.close();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await adapter.open();
  } catch (error) {
    await closeStore();
    throw error;
  }
  return contextOn(adapter, options, closeStore);
}

/** What the contexts of one plugin's restarts share: the store and, as in one kernel, the bus and registries. */
interface Shared {
  readonly adapter: StoreAdapter;
  readonly closeStore: () => Promise<void>;
  readonly logs: LogLine[];
  readonly identities: Map<string, IdentitySummary>;
  readonly bus: EventBus;
  readonly strategies: StrategyRegistry;
  readonly registry: ActionRegistry;
  readonly pluginErrors: PluginErrorRegistry;
}

function contextOn(
  adapter: StoreAdapter,
  options: PluginTestContextOptions,
  closeStore: () => Promise<void>,
): PluginTestContext {
  const logs = options.logs ?? [];
  const log = createRecordingLogger(logs);
  return contextWith(options, {
    adapter,
    closeStore,
    logs,
    identities: options.identities ?? new Map<string, IdentitySummary>(),
    bus: createEventBus(log),
    strategies: new StrategyRegistry(),
    registry: new ActionRegistry(),
    pluginErrors: createPluginErrorRegistry(),
  });
}

function contextWith(options: PluginTestContextOptions, shared: Shared): PluginTestContext {
  const { name } = options;
  const { adapter, logs, identities, bus, strategies, registry, pluginErrors } = shared;
  const accountCalls: AccountCall[] = [];
  let teardown: (() => void | Promise<void>) | undefined;

  const deps: PluginContextDeps = {
    adapter,
    bus,
    log: createRecordingLogger(logs),
    runTimeout: options.runTimeout ?? DEFAULT_RUN_TIMEOUT,
    strategies,
    registry,
    identity: (kuid) => Promise.resolve(identities.get(kuid) ?? null),
    createUser: async (_plugin, user) => {
      const kuid = randomUUID();
      // As the kernel does, with the plugin's own strategies only (the registry answers for unknown ones).
      for (const [strategy, credentials] of Object.entries(user.credentials ?? {})) {
        const registered = strategies.get(strategy);
        if (registered.owner !== name) throw new Error(`"${name}" does not own the strategy "${strategy}"`);
        const request = apiRequest({ controller: 'security', action: 'createUser', body: credentials });
        await registered.methods.validate(request, credentials, kuid, strategy, false);
        await registered.methods.create(request, credentials, kuid, strategy);
      }
      identities.set(kuid, { kuid, profileIds: [...user.profileIds], roleIds: [] });
      accountCalls.push({ call: 'createUser', kuid, user });
      return kuid;
    },
    credentialsCreated: (kuid, strategy, author) => {
      accountCalls.push({ call: 'credentialsCreated', kuid, strategy, author });
      bus.emit('credentials:created', { kuid, strategy, author });
      return Promise.resolve();
    },
    credentialsChanged: async (kuid, strategy, author, secretChanged) => {
      accountCalls.push({ call: 'credentialsChanged', kuid, strategy, author, secretChanged });
      await bus.pipeline('credentials:updated', { kuid, strategy, author, secretChanged });
    },
  };
  let scope = createPluginContext(name, deps, copyPluginConfig(name, options.config));

  const release = async (): Promise<void> => {
    scope.release();
    pluginErrors.release(name);
    await teardown?.();
  };

  return {
    get ctx() {
      return scope.ctx;
    },
    store: adapter,
    get storage() {
      return scope.ctx.storage;
    },
    bus,
    strategies,
    identities,
    logs,
    accountCalls,
    async setup<Config>(plugin: PluginDefinition<Config>) {
      if (plugin.configSchema !== undefined) {
        const config = await resolvePluginConfig(name, plugin.configSchema, options.config);
        // Nothing was registered through the first context yet: it goes, the plugin gets one with its config.
        scope.release();
        scope = createPluginContext(name, deps, config as Record<string, unknown>);
      }
      pluginErrors.register(name, plugin.errors);
      teardown = plugin.teardown?.bind(plugin);
      // The context is the plugin's whatever its config type: the kernel does not check config types.
      await plugin.setup(scope.ctx as PluginContext<Config>);
    },
    strategy: (strategy) => strategies.get(strategy),
    login: (strategy, { body = {}, args = {} }) => {
      const registered = strategies.get(strategy);
      const request = apiRequest({ controller: 'auth', action: 'login', body, args: { strategy, ...args } });
      return authenticate(registered, passportRequestOf(registered, request));
    },
    action: async (controller, action, request = apiRequest()) =>
      await registry.find(`${name}/${controller}`, action).handler(request as never, {}),
    routes: () =>
      registry
        .routes()
        .filter((route) => scope.controllers.includes(route.controller))
        .map(({ verb, path, controller, action }) => ({ verb, path, controller, action })),
    async restart(config = options.config) {
      await release();
      return contextWith({ ...options, config }, shared);
    },
    async close() {
      try {
        await release();
      } finally {
        await shared.closeStore();
      }
    },
  };
}
