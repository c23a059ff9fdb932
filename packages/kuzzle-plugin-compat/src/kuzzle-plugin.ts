/**
 * A Kuzzle plugin as a Tessera plugin definition. At setup: `new PluginClass()`, `init(config, context)` with
 * the context of kuzzle-context.ts, then what the instance declares, read as Kuzzle reads it after init:
 *
 * - `controllers` + `routes`: API actions under `<plugin>/<controller>`, HTTP routes as Kuzzle maps them
 *   (`/_<path>` for a path starting with "/", `/_/<plugin>/<path>` otherwise); handlers named as strings are
 *   the instance's methods;
 * - `authenticators` + `strategies`: each strategy registered with its authenticator (named as a string) and its
 *   methods (named as strings), every method given Kuzzle's view of the request.
 *
 * What Tessera cannot honour stops the boot with `plugin.kuzzle.unsupported` naming it, before anything is
 * registered: `hooks` and `pipes` (Kuzzle's events and payloads are not Tessera's), `api` (its controllers are
 * not prefixed by the plugin's name, so they would take names of the API), a route verb other than GET, POST,
 * PUT, PATCH or DELETE, a strategy method Tessera does not call (`afterRegister`).
 */
import type {
  ApiRequest,
  JsonObject,
  PassportRequest,
  PassportStrategyConstructor,
  PluginActionDefinition,
  PluginContext,
  PluginDefinition,
  PluginErrors,
  StrategyMethods,
  VerifyResult,
} from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import { createKuzzleContext } from './kuzzle-context';
import { kuzzleRequestOf } from './kuzzle-request';

type Instance = Record<string, unknown> & { init?: (config: unknown, context: unknown) => unknown };

export interface KuzzlePluginOptions {
  readonly name: string;
  readonly PluginClass: new () => unknown;
  readonly errors: PluginErrors | undefined;
  readonly now?: () => number;
}

const VERBS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Kuzzle's strategy methods Tessera calls; `verify` is the authenticator's. */
const MANDATORY = ['verify', 'exists', 'validate', 'create', 'update', 'delete'] as const;
const METHODS = [...MANDATORY, 'getInfo', 'getById', 'search'] as const;

export function kuzzlePluginDefinition({
  name,
  PluginClass,
  errors,
  now,
}: KuzzlePluginOptions): PluginDefinition {
  return {
    errors,
    async setup(ctx) {
      const instance = new PluginClass() as Instance;
      if (typeof instance.init !== 'function') {
        throw tesseraError(
          'plugin.assert.invalid_definition',
          name,
          'a Kuzzle plugin needs an init(config, context) method',
        );
      }
      let initialised = false;
      /** Strategies added through `accessors.strategies.add` during init wait, as in Kuzzle, for init's end. */
      const addStrategy = (strategy: string, definition: unknown): void => {
        if (initialised) registerStrategy(ctx, instance, strategy, definition);
        else ((instance.strategies ??= {}) as Record<string, unknown>)[strategy] = definition;
      };
      const context = createKuzzleContext({ ctx, errors, addStrategy, now });
      await instance.init(structuredClone(ctx.config), context);
      refuseUnsupported(name, instance);
      registerControllers(ctx, instance);
      for (const [strategy, definition] of Object.entries(objectOf(instance.strategies)))
        registerStrategy(ctx, instance, strategy, definition);
      initialised = true;
    },
  };
}

function refuseUnsupported(name: string, instance: Instance): void {
  for (const member of ['hooks', 'pipes'] as const) {
    const events = Object.keys(objectOf(instance[member]));
    if (events.length > 0) {
      throw tesseraError(
        'plugin.kuzzle.unsupported',
        name,
        `"${member}" (on ${events.map((event) => `"${event}"`).join(', ')}): Kuzzle's events and their payloads are not Tessera's`,
      );
    }
  }
  if (Object.keys(objectOf(instance.api)).length > 0) {
    throw tesseraError(
      'plugin.kuzzle.unsupported',
      name,
      `"api" (controllers ${Object.keys(objectOf(instance.api)).join(', ')}): Tessera serves a plugin's controllers only as "<plugin>/<controller>", which the "controllers" member declares`,
    );
  }
  for (const route of arrayOf(instance.routes)) {
    const verb = String((route as { verb?: unknown }).verb).toUpperCase();
    if (!VERBS.has(verb))
      throw tesseraError('plugin.kuzzle.unsupported', name, `the HTTP verb "${verb}" in "routes"`);
  }
  for (const [strategy, definition] of Object.entries(objectOf(instance.strategies))) {
    for (const method of Object.keys(objectOf((definition as { methods?: unknown })?.methods))) {
      if (!(METHODS as readonly string[]).includes(method)) {
        throw tesseraError(
          'plugin.kuzzle.unsupported',
          name,
          `the strategy method "${method}" of "${strategy}"`,
        );
      }
    }
  }
}

/** `controllers` (action -> function or method name) and `routes`, as `<plugin>/<controller>` actions. */
function registerControllers(ctx: PluginContext, instance: Instance): void {
  const routes = arrayOf(instance.routes) as {
    verb: string;
    url?: string;
    path?: string;
    controller: string;
    action: string;
  }[];
  for (const [controller, actions] of Object.entries(objectOf(instance.controllers))) {
    const definitions: Record<string, PluginActionDefinition> = {};
    for (const [action, target] of Object.entries(objectOf(actions))) {
      const handler = methodOf(ctx.name, instance, target, `action "${controller}:${action}"`);
      definitions[action] = {
        http: routes
          .filter((route) => route.controller === controller && route.action === action)
          .map((route) => ({
            verb: route.verb.toUpperCase() as 'GET',
            path: route.path ?? route.url ?? '',
          })),
        handler: (request: ApiRequest) => handler(kuzzleRequestOf(request)),
      };
    }
    ctx.api.register(controller, definitions);
  }
}

/** One strategy of `strategies` (or `accessors.strategies.add`), its authenticator and methods named as strings. */
function registerStrategy(ctx: PluginContext, instance: Instance, strategy: string, raw: unknown): void {
  const { config, methods } = (raw ?? {}) as {
    config?: Record<string, unknown>;
    methods?: Record<string, unknown>;
  };
  const authenticatorName = config?.authenticator;
  const authenticator = objectOf(instance.authenticators)[String(authenticatorName)];
  if (typeof authenticator !== 'function') {
    throw tesseraError(
      'plugin.strategy.invalid_definition',
      strategy,
      `its authenticator "${String(authenticatorName)}" is not a constructor of the plugin's "authenticators"`,
    );
  }
  const call = (method: string) =>
    methodOf(ctx.name, instance, objectOf(methods)[method], `strategy method "${strategy}.${method}"`);
  const optional = (method: string) => (objectOf(methods)[method] === undefined ? undefined : call(method));
  // The mandatory methods are looked up now, so a strategy naming a method its plugin lacks stops the boot.
  const [verify, exists, validate, create, update, remove] = MANDATORY.map(call);
  const wrapped: StrategyMethods = {
    // Kuzzle's verify gets passport's request, whose `original` is the API request.
    verify: (request: PassportRequest, ...args: unknown[]) =>
      verify!({ ...request, original: kuzzleRequestOf(request.original) }, ...args) as Promise<VerifyResult>,
    exists: (request, ...args) => exists!(kuzzleRequestOf(request), ...args) as Promise<boolean>,
    // Copies: the local strategy adds its salt to the credentials it is given.
    validate: (request, credentials, ...args) =>
      validate!(kuzzleRequestOf(request), structuredClone(credentials), ...args) as Promise<unknown>,
    create: (request, credentials, ...args) =>
      create!(kuzzleRequestOf(request), structuredClone(credentials), ...args) as Promise<JsonObject>,
    update: (request, credentials, ...args) =>
      update!(kuzzleRequestOf(request), structuredClone(credentials), ...args) as Promise<JsonObject>,
    delete: (request, ...args) => remove!(kuzzleRequestOf(request), ...args) as Promise<unknown>,
  };
  const getInfo = optional('getInfo');
  if (getInfo)
    wrapped.getInfo = (request, ...args) => getInfo(kuzzleRequestOf(request), ...args) as Promise<JsonObject>;
  const getById = optional('getById');
  if (getById)
    wrapped.getById = (request, ...args) => getById(kuzzleRequestOf(request), ...args) as Promise<JsonObject>;
  const search = optional('search');
  if (search)
    wrapped.search = (body, options) =>
      search(body, options) as ReturnType<NonNullable<StrategyMethods['search']>>;
  ctx.strategies.register(strategy, {
    authenticator: authenticator as PassportStrategyConstructor,
    strategyOptions: objectOf(config?.strategyOptions),
    authenticateOptions: objectOf(config?.authenticateOptions),
    fields: arrayOf(config?.fields).filter((field): field is string => typeof field === 'string'),
    methods: wrapped,
  });
}

/** A handler given as a function, or as the name of one of the instance's methods (bound to it). */
function methodOf(
  plugin: string,
  instance: Instance,
  target: unknown,
  what: string,
): (...args: unknown[]) => unknown {
  const fn = typeof target === 'string' ? instance[target] : target;
  if (typeof fn !== 'function') {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      plugin,
      `${what} names no method of the plugin (${String(target)})`,
    );
  }
  return (...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(instance, args);
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
