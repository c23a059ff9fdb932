/**
 * Authentication strategies: how a plugin teaches the kernel a way to log in.
 *
 * A strategy is a passport strategy (the authenticator, any `passport-*` module) plus the credential methods
 * Kuzzle defines. The strategy owns its credentials and keeps them in its plugin's storage; it never sees a
 * token: once `verify` names a kuid, the kernel issues the token.
 */
import type { ApiRequest } from './request';
import type { JsonObject, SearchBody } from './storage';

/** What passport strategies receive as `req`: enough of an HTTP request for them, and the API request itself. */
export interface PassportRequest {
  readonly original: ApiRequest;
  readonly body: JsonObject;
  /** The request's arguments (an OAuth callback's `code` and `state` arrive here). */
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly method: string;
  readonly url: string;
}

/**
 * `verify`'s answer: a kuid on success; `{kuid: null, message}` (or false) when the credentials are wrong.
 * A browser flow (an OAuth callback) may add `redirectTo`: the kernel then answers over HTTP with the token in
 * the HttpOnly `authToken` cookie and a 302 to that absolute URL. The strategy must have checked the URL against
 * an allow-list of its configuration: the kernel only checks that it is an http(s) URL.
 */
export type VerifyResult = { kuid: string; redirectTo?: string } | { kuid: null; message?: string } | false;

/** The passport strategy constructor; the kernel builds it with `passReqToCallback: true`. */
export type PassportStrategyConstructor = new (
  options: Record<string, unknown>,
  verify: (...args: never[]) => void,
) => PassportStrategy;

/** The part of passport's Strategy the kernel drives. */
export interface PassportStrategy {
  name?: string;
  authenticate(this: PassportStrategyActions, req: PassportRequest, options?: Record<string, unknown>): void;
}

/** The actions passport binds onto a strategy while it authenticates. */
export interface PassportStrategyActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  redirect(url: string, status?: number): void;
  pass(): void;
  error(error: unknown): void;
}

export interface StrategyMethods {
  /** Checks credentials; the arguments after `request` are the passport strategy's (local: username, password). */
  verify(request: PassportRequest, ...args: never[]): Promise<VerifyResult>;
  exists(request: ApiRequest, kuid: string, strategy: string): Promise<boolean>;
  /** Throws (a catalog error, or any error: it becomes `security.credentials.rejected`) to refuse. */
  validate(
    request: ApiRequest,
    credentials: JsonObject,
    kuid: string,
    strategy: string,
    isUpdate: boolean,
  ): Promise<unknown>;
  /** Stores credentials for `kuid`; returns what may be shown to the client (never a secret). */
  create(request: ApiRequest, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject>;
  update(request: ApiRequest, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject>;
  /**
   * Whether an update with these credentials changes a secret, what proves the user's identity (a password,
   * not a username): the kernel then revokes the user's other tokens. Without it, every update counts as one.
   */
  changesSecret?(
    request: ApiRequest,
    credentials: JsonObject,
    kuid: string,
    strategy: string,
  ): boolean | Promise<boolean>;
  delete(request: ApiRequest, kuid: string, strategy: string): Promise<unknown>;
  getInfo?(request: ApiRequest, kuid: string, strategy: string): Promise<JsonObject>;
  /** Looks credentials up by the strategy's own id (local: the username). */
  getById?(request: ApiRequest, id: string, strategy: string): Promise<JsonObject>;
  search?(
    body: SearchBody,
    options: { from: number; size: number },
  ): Promise<{ hits: JsonObject[]; total: number }>;
  /** Called by `auth:refreshToken` with this strategy; may shorten the new token (`{expiresIn}`) or throw to refuse. */
  refreshToken?(request: ApiRequest): Promise<{ expiresIn?: string | number } | void>;
  /**
   * For credentials a user proves only by signing in somewhere else (an OAuth provider's identity), which a
   * body must never set. When it is defined, `auth:createMyCredentials` (`isUpdate` false) and
   * `auth:updateMyCredentials` (`isUpdate` true) call it instead of validate, create and update, and answer its
   * result: where the caller sends a browser to sign in (the OAuth plugin: `{url, expiresAt}`). Nothing is
   * written then, so the kernel emits no `credentials:*` event: the strategy writes the credentials when that
   * sign-in completes, and emits them itself. Throw to refuse (a body that names credentials, say).
   */
  startLink?(
    request: ApiRequest,
    body: JsonObject,
    kuid: string,
    strategy: string,
    isUpdate: boolean,
  ): Promise<JsonObject>;
}

export interface StrategyDefinition {
  readonly authenticator: PassportStrategyConstructor;
  /** First argument of the authenticator's constructor. */
  readonly strategyOptions?: Record<string, unknown>;
  /** Options passed to the strategy's `authenticate` (passport.authenticate's second argument). */
  readonly authenticateOptions?: Record<string, unknown>;
  /** Credential field names, for `security:getCredentialFields`. */
  readonly fields?: readonly string[];
  readonly methods: StrategyMethods;
}

/** `ctx.strategies`: stamped with the plugin's name; only the owner may replace or remove its strategies. */
export interface StrategyRegistrar {
  register(name: string, definition: StrategyDefinition): void;
  unregister(name: string): void;
}
