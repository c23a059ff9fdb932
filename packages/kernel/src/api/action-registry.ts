/**
 * ActionRegistry: controller -> action -> definition. The one source from which the funnel dispatches, the
 * HTTP router is generated and `server:publicApi` and `server:openapi` are answered, so they never disagree.
 */
import { tesseraError, type ErrorId, type TesseraError } from '@tessera/plugin-sdk';
import type { ArgsOf, ArgsSchema } from './args';
import type { Request } from './request';

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute {
  readonly verb: HttpVerb;
  /** Koa-router syntax: `/_login/:strategy`. Placeholders become arguments. */
  readonly path: string;
  /** Kuzzle deprecates this route and still serves it; so does Tessera. */
  readonly deprecated?: boolean;
}

export interface ActionDefinition<S extends ArgsSchema = ArgsSchema> {
  readonly args?: S;
  /** `required`: a missing body is `api.assert.body_required`. */
  readonly body?: 'required' | 'optional';
  /**
   * HTTP routes. Publish one per action when possible: with several, kuzzle-sdk's Http protocol picks one by
   * its own rules and sends the other arguments in the query string.
   */
  readonly http?: readonly HttpRoute[];
  /**
   * Kuzzle's other routes for the action (its deprecated ones included): served, but not published in
   * `server:publicApi`, so kuzzle-sdk keeps building from `http` the route it expects.
   */
  readonly httpAliases?: readonly HttpRoute[];
  /**
   * The errors of the action's own (a login's throttle, a strategy's refusal), for the API description; those
   * every request may meet (rights, tokens, arguments, load) are added there for every action.
   */
  readonly errors?: readonly ErrorId[];
  handler(request: Request, args: ArgsOf<S>): unknown;
}

/** Declares an action; the identity function, there so `args` types flow into the handler. */
export function defineAction<S extends ArgsSchema = Record<never, never>>(
  definition: ActionDefinition<S>,
): ActionDefinition<S> {
  return definition;
}

export interface RegisteredRoute extends HttpRoute {
  readonly controller: string;
  readonly action: string;
  /**
   * `published`: one of the action's `http`, in `server:publicApi`; `alias`: one of its `httpAliases`;
   * `reserved`: a route kept for an action that is not registered (see `reserve`).
   */
  readonly kind: 'published' | 'alias' | 'reserved';
}

export interface PublicApiRoute {
  verb: HttpVerb;
  url: string;
  path: string;
}

export type PublicApi = Record<
  string,
  Record<string, { controller: string; action: string; http: PublicApiRoute[] }>
>;

export class ActionRegistry {
  private readonly controllers = new Map<string, Map<string, ActionDefinition>>();
  /** `controller:right` of the rights that are no action. */
  private readonly rights = new Set<string>();
  private readonly reserved: RegisteredRoute[] = [];
  /** `controller:action` of actions refused on purpose, with the error saying why. */
  private readonly refused = new Map<string, () => TesseraError>();

  register(controller: string, actions: Readonly<Record<string, ActionDefinition>>): void {
    if (this.controllers.has(controller)) throw new Error(`controller "${controller}" is already registered`);
    this.controllers.set(controller, new Map(Object.entries(actions)));
  }

  /** Adds actions to a registered controller (an action defined where its dependencies live). */
  extend(controller: string, actions: Readonly<Record<string, ActionDefinition>>): void {
    const existing = this.controllers.get(controller);
    if (!existing) throw new Error(`controller "${controller}" is not registered`);
    for (const [action, definition] of Object.entries(actions)) {
      if (existing.has(action)) throw new Error(`action "${controller}:${action}" is already registered`);
      existing.set(action, definition);
    }
  }

  unregister(controller: string): void {
    this.controllers.delete(controller);
  }

  find(controller: string, action: string): ActionDefinition {
    const definition = this.controllers.get(controller)?.get(action);
    if (definition) return definition;
    const refusal = this.refused.get(`${controller}:${action}`);
    if (refusal) throw refusal();
    if (!this.controllers.has(controller)) throw tesseraError('api.process.controller_not_found', controller);
    throw tesseraError('api.process.action_not_found', controller, action);
  }

  /**
   * Actions not served on purpose (Kuzzle's data API): called, they answer `error()` instead of "not found",
   * unless an action of that name is registered.
   */
  refuse(controller: string, actions: Iterable<string>, error: (action: string) => TesseraError): void {
    for (const action of actions) this.refused.set(`${controller}:${action}`, () => error(action));
  }

  /**
   * Declares a right a role may grant like an action's (`controllers.<controller>.actions.<right>: true`) but that
   * names nothing to call, e.g. `security:watchAllAuthEvents`: roles may name it, requests cannot.
   */
  declareRight(controller: string, right: string): void {
    this.rights.add(`${controller}:${right}`);
  }

  /** Whether `controller:action` is a right declared with `declareRight`. */
  isDeclaredRight(controller: string, action: string): boolean {
    return this.rights.has(`${controller}:${action}`);
  }

  has(controller: string, action: string): boolean {
    return this.controllers.get(controller)?.has(action) === true;
  }

  /**
   * Routes kept for actions that are not registered (Kuzzle's routes of actions Tessera does not serve): they
   * still lead to their action, which the funnel answers with `api.process.action_not_found`, rather than to
   * a neighbour's route. Once the action is registered, its own routes take over.
   */
  reserve(routes: readonly Omit<RegisteredRoute, 'kind'>[]): void {
    for (const route of routes) this.reserved.push({ ...route, kind: 'reserved' });
  }

  /** Every route the HTTP router serves: published ones first, then aliases, then reserved routes. */
  routes(): RegisteredRoute[] {
    const published: RegisteredRoute[] = [];
    const aliases: RegisteredRoute[] = [];
    for (const [controller, actions] of this.controllers) {
      for (const [action, definition] of actions) {
        for (const route of definition.http ?? [])
          published.push({ ...route, controller, action, kind: 'published' });
        for (const route of definition.httpAliases ?? [])
          aliases.push({ ...route, controller, action, kind: 'alias' });
      }
    }
    const reserved = this.reserved.filter(({ controller, action }) => !this.has(controller, action));
    return [...published, ...aliases, ...reserved];
  }

  publicApi(): PublicApi {
    const api: PublicApi = {};
    for (const [controller, actions] of this.controllers) {
      const described: PublicApi[string] = {};
      for (const [action, definition] of actions) {
        const http = (definition.http ?? []).map(({ verb, path }) => ({ verb, url: path, path }));
        described[action] = { controller, action, http };
      }
      api[controller] = described;
    }
    return api;
  }
}
