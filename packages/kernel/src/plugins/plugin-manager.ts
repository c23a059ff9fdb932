/**
 * The plugin manager owns the plugins' lifecycle. It validates every manifest before loading any plugin code,
 * then loads and sets up each plugin in order, each setup under a timeout, and tears them down in reverse order.
 *
 * A plugin sees only its frozen PluginContext: its name, a deep-frozen copy of its config, a child logger, its
 * own storage namespace, error helpers, a facade over the bus that answers for the plugin's failures, and one
 * narrow account capability: creating a user (a strategy's first login).
 * Nothing in it reaches the kernel, the store adapter or another plugin.
 */
import {
  TesseraError,
  isTesseraError,
  tesseraError,
  type DeepReadonly,
  type EventBus,
  type HookListener,
  type Logger,
  type PayloadOf,
  type PipeHandler,
  type PluginContext,
  type PluginDefinition,
  type PluginManifest,
  type IdentitySummary,
  type PluginNewUser,
  type CredentialsChange,
  type PluginActionDefinition,
  type Unsubscribe,
} from '@tessera/plugin-sdk';
import type { ActionDefinition, ActionRegistry } from '../api/action-registry';
import type { StrategyRegistry } from '../security/strategies';
import { createStorageNamespace, type StoreAdapter } from '@tessera/store';
import { messageOf } from '../internal/message-of';
import { within } from '../internal/within';
import { readManifest, validateManifest } from './read-manifest';
import { createPluginErrorRegistry, type RegisteredPluginErrors } from './plugin-error-registry';

/** A plugin folder, or a plugin already in memory (built-in plugins, tests): its manifest is checked all the same. */
export type PluginSource =
  { readonly dir: string } | { readonly manifest: PluginManifest; readonly definition: PluginDefinition };

export interface PluginManagerDeps {
  readonly adapter: StoreAdapter;
  readonly bus: EventBus;
  readonly log: Logger;
  /** The `plugins` section of the config: `plugins.<name>` is the config of the plugin <name>. */
  readonly pluginConfig: Readonly<Record<string, unknown>>;
  readonly kernelVersion: string;
  /** Milliseconds a plugin's setup may take. */
  readonly setupTimeout: number;
  /** Milliseconds one of its pipes or actions may take: then the request gets a 504, the kernel goes on. */
  readonly runTimeout: number;
  /** Where plugins register their authentication strategies. */
  readonly strategies: StrategyRegistry;
  /** Where plugins add their API actions (as `<plugin>/<controller>`). */
  readonly registry: ActionRegistry;
  /** Read-only facts about a user, for strategies. */
  readonly identity: (kuid: string) => Promise<IdentitySummary | null>;
  /** Creates a user for the plugin `plugin` (which may only attach credentials of its own strategies). */
  readonly createUser: (plugin: string, user: PluginNewUser) => Promise<string>;
  /** Emits `credentials:created` (ownership of the strategy already checked). */
  readonly credentialsCreated: (kuid: string, strategy: string, author: string) => Promise<void>;
  /** Runs the `credentials:updated` pipeline (ownership of the strategy already checked). */
  readonly credentialsChanged: (
    kuid: string,
    strategy: string,
    author: string,
    secretChanged: boolean,
  ) => Promise<void>;
  /** Milliseconds, monotonic: what a plugin's setup time is measured with. `performance.now` unless a test says. */
  readonly clock?: () => number;
}

export interface PluginManager {
  /**
   * Validates every manifest, then loads and sets up the plugins in order. On the first failure, tears down
   * the plugins this call had set up and rejects.
   */
  load(sources: readonly PluginSource[]): Promise<void>;
  /** Tears down every plugin in the reverse order of setup. Never rejects: a failing teardown is logged. */
  teardown(): Promise<void>;
  list(): { name: string; version: string }[];
  /** What each running plugin brought, by name, in the shape of Kuzzle's `server:info` `plugins`. */
  describe(): Record<string, PluginDescription>;
  /** The errors the running plugins declared, one subdomain each. */
  errors(): RegisteredPluginErrors[];
}

export interface PluginDescription {
  version: string;
  manifest: { name: string; version: string; kernel: string };
  /** `<plugin>/<controller>` */
  controllers: string[];
  /** Event names of the hooks and pipes it registered. */
  hooks: string[];
  pipes: string[];
  routes: { verb: string; path: string; controller: string; action: string }[];
  strategies: string[];
}

interface Candidate {
  readonly manifest: Omit<PluginManifest, 'main'>;
  /** Loads the plugin's code and returns what its module exports. */
  readonly load: () => unknown;
}

interface RunningPlugin {
  readonly name: string;
  readonly version: string;
  readonly kernel: string;
  readonly definition: PluginDefinition;
  readonly controllers: readonly string[];
  /** The events of the hooks and pipes it has registered now. */
  readonly events: () => { hooks: string[]; pipes: string[] };
  /** Unsubscribes every hook and pipe the plugin registered. */
  readonly release: () => void;
}

const errorHelpers: PluginContext['errors'] = Object.freeze({ create: tesseraError, is: isTesseraError });

export function createPluginManager(deps: PluginManagerDeps): PluginManager {
  const { log, kernelVersion, setupTimeout, runTimeout } = deps;
  const clock = deps.clock ?? (() => performance.now());
  let running: RunningPlugin[] = [];
  const pluginErrors = createPluginErrorRegistry();

  /** A plugin acts only for the strategies it registered. */
  const ownStrategy = (plugin: string, strategy: string): void => {
    const owner = deps.strategies.all().find((registered) => registered.name === strategy)?.owner;
    if (owner !== plugin) throw tesseraError('plugin.assert.strategy_not_owned', plugin, String(strategy));
  };

  const inspect = async (source: PluginSource): Promise<Candidate> => {
    if ('dir' in source) {
      const manifest = await readManifest(source.dir, kernelVersion);
      return { manifest, load: () => requirePlugin(manifest.mainPath) };
    }
    const { manifest, definition } = source;
    return {
      manifest: validateManifest(manifest, kernelVersion, String(manifest.name)),
      load: () => definition,
    };
  };

  const start = async ({ manifest: { name, version, kernel }, load }: Candidate): Promise<RunningPlugin> => {
    const definition = definitionOf(load(), name);
    pluginErrors.register(name, definition.errors);
    const pluginLog = log.child({ plugin: name });
    const { bus, events, release: releaseBus } = createPluginBus(deps.bus, name, pluginLog, runTimeout);
    const controllers: string[] = [];
    const release = () => {
      releaseBus();
      pluginErrors.release(name);
      deps.strategies.removeOwnedBy(name);
      for (const controller of controllers) deps.registry.unregister(controller);
    };
    const ctx: PluginContext = Object.freeze({
      name,
      config: deepFreeze(structuredClone(configOf(deps.pluginConfig, name))),
      log: pluginLog,
      storage: createStorageNamespace(deps.adapter, `plugin:${name}`),
      bus,
      strategies: deps.strategies.registrarFor(name),
      api: Object.freeze({
        register(controller: string, actions: Readonly<Record<string, PluginActionDefinition>>) {
          const qualified = `${name}/${controller}`;
          deps.registry.register(qualified, pluginActions(name, actions, runTimeout));
          controllers.push(qualified);
        },
      }),
      identity: Object.freeze({ describe: deps.identity }),
      accounts: Object.freeze({
        createUser: (user: PluginNewUser) => deps.createUser(name, user),
        credentialsCreated: async (kuid: string, change: CredentialsChange) => {
          ownStrategy(name, change.strategy);
          await deps.credentialsCreated(kuid, change.strategy, change.author ?? kuid);
        },
        credentialsChanged: async (kuid: string, change: CredentialsChange & { secretChanged?: boolean }) => {
          ownStrategy(name, change.strategy);
          await deps.credentialsChanged(
            kuid,
            change.strategy,
            change.author ?? kuid,
            change.secretChanged ?? true,
          );
        },
      }),
      errors: errorHelpers,
    });
    const setupStarted = clock();
    const setup = new Promise<void>((resolve) => resolve(definition.setup(ctx)));
    const failure = await within(
      setup.then(() => true),
      setupTimeout,
      false,
    ).then(
      (settled) => (settled ? undefined : tesseraError('plugin.runtime.init_timeout', name, setupTimeout)),
      (error: unknown) =>
        new TesseraError('plugin.runtime.failed_init', [name, messageOf(error)], { cause: error }),
    );
    if (failure) {
      release();
      throw failure;
    }
    deps.bus.emit('plugin:ready', { plugin: name, version, setupMs: clock() - setupStarted });
    return { name, version, kernel, definition, controllers, events, release };
  };

  const stop = async (plugins: readonly RunningPlugin[]): Promise<void> => {
    for (const plugin of [...plugins].reverse()) {
      try {
        await plugin.definition.teardown?.();
      } catch (error) {
        log.error('plugin teardown failed', { plugin: plugin.name, error });
      } finally {
        plugin.release();
      }
    }
  };

  return {
    async load(sources) {
      const candidates: Candidate[] = [];
      for (const source of sources) candidates.push(await inspect(source));
      const names = new Set(running.map((plugin) => plugin.name));
      for (const { manifest } of candidates) {
        if (names.has(manifest.name)) throw tesseraError('plugin.assert.name_already_exists', manifest.name);
        names.add(manifest.name);
      }
      const started: RunningPlugin[] = [];
      const ordered = dependencyOrder(
        candidates,
        running.map((plugin) => plugin.name),
      );
      try {
        for (const candidate of ordered) started.push(await start(candidate));
      } catch (error) {
        await stop(started);
        throw error;
      }
      running.push(...started);
    },

    async teardown() {
      const plugins = running;
      running = [];
      await stop(plugins);
    },

    errors() {
      return pluginErrors.list();
    },

    list() {
      return running.map(({ name, version }) => ({ name, version }));
    },

    describe() {
      const routes = deps.registry.routes().filter((route) => route.kind !== 'reserved');
      const strategies = deps.strategies.all();
      return Object.fromEntries(
        running.map((plugin) => {
          const { name, version, kernel, controllers } = plugin;
          const description: PluginDescription = {
            version,
            manifest: { name, version, kernel },
            controllers: [...controllers],
            ...plugin.events(),
            routes: routes
              .filter((route) => controllers.includes(route.controller))
              .map(({ verb, path, controller, action }) => ({ verb, path, controller, action })),
            strategies: strategies
              .filter((strategy) => strategy.owner === name)
              .map((strategy) => strategy.name),
          };
          return [name, description];
        }),
      );
    },
  };
}

/**
 * The candidates in an order where each comes after the plugins it depends on (otherwise in the given order).
 * A dependency neither among them nor already running, or a cycle, stops the boot naming the plugin.
 */
function dependencyOrder(candidates: readonly Candidate[], runningNames: readonly string[]): Candidate[] {
  const byName = new Map(candidates.map((candidate) => [candidate.manifest.name, candidate]));
  const ordered: Candidate[] = [];
  const done = new Set(runningNames);
  const visiting = new Set<string>();
  const visit = (candidate: Candidate): void => {
    const { name, dependsOn = [] } = candidate.manifest;
    if (done.has(name)) return;
    if (visiting.has(name)) {
      throw tesseraError('plugin.manifest.invalid_field', name, 'dependsOn', 'its dependencies form a cycle');
    }
    visiting.add(name);
    for (const dependency of dependsOn) {
      const other = byName.get(dependency);
      if (other) visit(other);
      else if (!done.has(dependency))
        throw tesseraError('plugin.manifest.missing_dependency', name, dependency);
    }
    visiting.delete(name);
    done.add(name);
    ordered.push(candidate);
  };
  for (const candidate of candidates) visit(candidate);
  return ordered;
}

/** Kuzzle's plugin routes: `/_<path>` for a path starting with "/", `/_/<plugin>/<path>` otherwise. */
function pluginActions(
  plugin: string,
  actions: Readonly<Record<string, PluginActionDefinition>>,
  runTimeout: number,
): Record<string, ActionDefinition> {
  const converted: Record<string, ActionDefinition> = {};
  for (const [action, definition] of Object.entries(actions)) {
    if (typeof definition?.handler !== 'function') {
      throw tesseraError(
        'plugin.assert.invalid_definition',
        plugin,
        `action "${action}" has no handler function`,
      );
    }
    converted[action] = {
      http: (definition.http ?? []).map(({ verb, path }) => ({
        verb,
        path: path.startsWith('/') ? `/_${path}` : `/_/${plugin}/${path}`,
      })),
      handler: (request) =>
        guarded(
          () => definition.handler(request),
          runTimeout,
          () =>
            tesseraError(
              'plugin.runtime.action_timeout',
              plugin,
              `${request.input.controller}:${action}`,
              runTimeout,
            ),
          `plugin "${plugin}" failed on "${request.input.controller}:${action}"`,
        ),
    };
  }
  return converted;
}

/**
 * The bus as one plugin sees it. Its hook failures are logged under its name; its pipe failures become
 * `plugin.runtime.unexpected_error` unless they are TesseraErrors (a deliberate refusal, passed through), and a
 * pipe that does not settle within `runTimeout` answers `plugin.runtime.pipe_timeout`.
 * `release` unsubscribes whatever the plugin registered, and whatever it registers afterwards.
 */
function createPluginBus(
  bus: EventBus,
  name: string,
  log: Logger,
  runTimeout: number,
): { bus: EventBus; events: () => { hooks: string[]; pipes: string[] }; release: () => void } {
  /** Each live registration, and what it listens to. */
  const subscriptions = new Map<Unsubscribe, { kind: 'hook' | 'pipe'; event: string }>();
  let released = false;
  const track = (unsubscribe: Unsubscribe, kind: 'hook' | 'pipe', event: string): Unsubscribe => {
    // A plugin torn down (or whose setup timed out) may still run code: what it registers then must not stay.
    if (released) {
      unsubscribe();
      log.warn('ignored a hook or pipe registered after the plugin was torn down');
      return () => {};
    }
    const tracked = (): void => {
      subscriptions.delete(tracked);
      unsubscribe();
    };
    subscriptions.set(tracked, { kind, event });
    return tracked;
  };
  const events = () => {
    const of = (kind: 'hook' | 'pipe') => [
      ...new Set([...subscriptions.values()].filter((s) => s.kind === kind).map((s) => s.event)),
    ];
    return { hooks: of('hook'), pipes: of('pipe') };
  };

  // The kernel's events are facts only the kernel establishes: a plugin emits under its own prefix only.
  const prefix = `plugin:${name}:`;
  const ownEvent = (event: string): void => {
    if (typeof event !== 'string' || !event.startsWith(prefix) || event.length === prefix.length)
      throw tesseraError('plugin.assert.event_not_owned', name, String(event), name);
  };

  const facade: EventBus = Object.freeze({
    hook<E extends string>(event: E, listener: HookListener<PayloadOf<E>>): Unsubscribe {
      return track(
        bus.hook(event, async (payload, emitted) => {
          try {
            await listener(payload, emitted);
          } catch (error) {
            log.error('hook listener failed', { event: emitted, error });
          }
        }),
        'hook',
        event,
      );
    },
    pipe<E extends string>(event: E, handler: PipeHandler<PayloadOf<E>>): Unsubscribe {
      return track(
        bus.pipe(event, (payload, emitted) =>
          guarded(
            () => handler(payload, emitted),
            runTimeout,
            () => tesseraError('plugin.runtime.pipe_timeout', name, emitted, runTimeout),
            `plugin "${name}" failed on "${emitted}"`,
          ),
        ),
        'pipe',
        event,
      );
    },
    emit<E extends string>(event: E, payload: PayloadOf<E>): void {
      ownEvent(event);
      bus.emit(event, payload);
    },
    async pipeline<E extends string>(event: E, payload: PayloadOf<E>): Promise<PayloadOf<E>> {
      ownEvent(event);
      return bus.pipeline(event, payload);
    },
  });

  const release = (): void => {
    released = true;
    for (const unsubscribe of subscriptions.keys()) unsubscribe();
  };
  return { bus: facade, events, release };
}

const TIMED_OUT = Symbol('timed out');

/**
 * Runs a piece of plugin code for one request: a TesseraError it throws is a deliberate refusal and passes
 * through; anything else becomes `plugin.runtime.unexpected_error`, whose message names the plugin and where it
 * failed but not what it threw (that may hold anything: it goes to the logs as the cause). Code that does not
 * settle within `ms` gets the request answered with `timedOut()`; it may still finish later, unobserved.
 */
async function guarded<T>(
  work: () => T | Promise<T>,
  ms: number,
  timedOut: () => TesseraError,
  where: string,
): Promise<T> {
  let outcome: T | typeof TIMED_OUT;
  try {
    outcome = await within(Promise.resolve().then(work), ms, TIMED_OUT);
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw new TesseraError('plugin.runtime.unexpected_error', [where], { cause: error });
  }
  if (outcome === TIMED_OUT) throw timedOut();
  return outcome;
}

function requirePlugin(mainPath: string): unknown {
  try {
    // Plugins are CommonJS modules at paths known only at run time; `require` is the loader for that.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(mainPath) as unknown;
  } catch (error) {
    throw new TesseraError('plugin.assert.cannot_load', [mainPath, messageOf(error)], { cause: error });
  }
}

/** The definition is the module's default export, the module itself, or its `plugin` export. */
function definitionOf(exported: unknown, name: string): PluginDefinition {
  const definition = [propertyOf(exported, 'default'), exported, propertyOf(exported, 'plugin')].find(
    isDefinition,
  );
  if (!definition) {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      name,
      'expected the module (or its "default" or "plugin" export) to be an object with a setup function',
    );
  }
  return definition;
}

function isDefinition(value: unknown): value is PluginDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const { setup, teardown } = value as Partial<Record<keyof PluginDefinition, unknown>>;
  return typeof setup === 'function' && (teardown === undefined || typeof teardown === 'function');
}

function propertyOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function configOf(pluginConfig: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  const config = pluginConfig[name] ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw tesseraError('core.config.invalid_value', `plugins.${name}`, 'expected an object');
  }
  return config as Record<string, unknown>;
}

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value as DeepReadonly<T>;
}
