/**
 * The context one plugin gets: the kernel's single factory for it, used by the plugin manager at boot and by
 * `@tessera/testing`'s `createPluginTestContext` in plugins' unit tests, so that a plugin is tested against the
 * very context it will run with.
 *
 * A plugin sees only its frozen PluginContext: its name, its config (checked by its schema, deep-frozen), a child logger, its
 * own storage namespace, error helpers, a facade over the bus that answers for the plugin's failures and lets it
 * emit only its own events, and narrow account capabilities stamped with its name (creating a user, telling the
 * kernel that credentials of a strategy it owns changed). Nothing in it reaches the kernel, the store adapter or
 * another plugin.
 */
import {
  TesseraError,
  isTesseraError,
  tesseraError,
  type CredentialsChange,
  type DeepReadonly,
  type EventBus,
  type HookListener,
  type ApiRequest,
  type ExecutionOutcome,
  type IdentitySummary,
  type ProfileSummary,
  type Logger,
  type PayloadOf,
  type PipeHandler,
  type PluginActionDefinition,
  type PluginContext,
  type PluginNewUser,
  type Unsubscribe,
} from '@tessera/plugin-sdk';
import { createStorageNamespace, type StoreAdapter } from '@tessera/store';
import type { ActionDefinition, ActionRegistry } from '../api/action-registry';
import type { StrategyRegistry } from '../security/strategies';
import { within } from '../internal/within';

/** What the kernel lends one plugin's context; the plugin never holds any of it directly. */
export interface PluginContextDeps {
  readonly adapter: StoreAdapter;
  readonly bus: EventBus;
  /** The kernel's logger: the plugin gets a child of it, whose lines carry `plugin: <name>`. */
  readonly log: Logger;
  /** Milliseconds one of its pipes or actions may take: then the request gets a 504, the kernel goes on. */
  readonly runTimeout: number;
  /** Where plugins register their authentication strategies. */
  readonly strategies: StrategyRegistry;
  /** Where plugins add their API actions (as `<plugin>/<controller>`). */
  readonly registry: ActionRegistry;
  /** Read-only facts about a user, for strategies. */
  readonly identity: (kuid: string) => Promise<IdentitySummary | null>;
  /** Read-only facts about profiles (their role ids); without it, `ctx.identity.profiles` knows none. */
  readonly profiles?: (profileIds: readonly string[]) => Promise<ProfileSummary[]>;
  /**
   * Runs an API action on behalf of `caller` for the plugin `plugin` (see `PluginContext.api.execute`); without
   * it (a plugin's unit test), `ctx.api.execute` refuses every call.
   */
  readonly execute?: (
    plugin: string,
    envelope: Readonly<Record<string, unknown>>,
    caller: ApiRequest,
  ) => Promise<ExecutionOutcome>;
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
}

/** One plugin's context, and what the kernel keeps to describe and release what the plugin registered. */
export interface PluginScope {
  readonly ctx: PluginContext;
  /** The controllers it added, `<plugin>/<controller>`. */
  readonly controllers: readonly string[];
  /** The events of the hooks and pipes it has registered now. */
  readonly events: () => { hooks: string[]; pipes: string[] };
  /** Unsubscribes its hooks and pipes, removes its strategies and controllers; what it registers later is dropped. */
  readonly release: () => void;
}

const errorHelpers: PluginContext['errors'] = Object.freeze({ create: tesseraError, is: isTesseraError });

/**
 * `config` is the plugin's configuration as `resolvePluginConfig` made it (checked by the plugin's schema,
 * deep-frozen): the context holds it as it is.
 */
export function createPluginContext(
  name: string,
  deps: PluginContextDeps,
  config: DeepReadonly<Record<string, unknown>>,
): PluginScope {
  const { runTimeout } = deps;
  const log = deps.log.child({ plugin: name });
  const { bus, events, release: releaseBus } = createPluginBus(deps.bus, name, log, runTimeout);
  const controllers: string[] = [];

  /** A plugin acts only for the strategies it registered. */
  const ownStrategy = (strategy: string): void => {
    const owner = deps.strategies.all().find((registered) => registered.name === strategy)?.owner;
    if (owner !== name) throw tesseraError('plugin.assert.strategy_not_owned', name, String(strategy));
  };

  const ctx: PluginContext = Object.freeze({
    name,
    config,
    log,
    storage: createStorageNamespace(deps.adapter, `plugin:${name}`),
    bus,
    strategies: deps.strategies.registrarFor(name),
    api: Object.freeze({
      register(controller: string, actions: Readonly<Record<string, PluginActionDefinition>>) {
        const qualified = `${name}/${controller}`;
        deps.registry.register(qualified, pluginActions(name, actions, runTimeout));
        controllers.push(qualified);
      },
      execute: (envelope: Readonly<Record<string, unknown>>, caller: ApiRequest) =>
        deps.execute
          ? deps.execute(name, envelope, caller)
          : Promise.reject(tesseraError('plugin.assert.invalid_caller', name)),
    }),
    identity: Object.freeze({
      describe: deps.identity,
      profiles: (profileIds: readonly string[]) => deps.profiles?.(profileIds) ?? Promise.resolve([]),
    }),
    accounts: Object.freeze({
      createUser: (user: PluginNewUser) => deps.createUser(name, user),
      credentialsCreated: async (kuid: string, change: CredentialsChange) => {
        ownStrategy(change.strategy);
        await deps.credentialsCreated(kuid, change.strategy, change.author ?? kuid);
      },
      credentialsChanged: async (kuid: string, change: CredentialsChange & { secretChanged?: boolean }) => {
        ownStrategy(change.strategy);
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

  const release = (): void => {
    releaseBus();
    deps.strategies.removeOwnedBy(name);
    for (const controller of controllers) deps.registry.unregister(controller);
  };
  return { ctx, controllers, events, release };
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
