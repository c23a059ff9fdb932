/**
 * The strategy conformance suite: every strategy plugin runs it. It boots a real kernel with the plugin, drives
 * it over the API as a client would, and checks the contract of `@tessera/plugin-sdk`'s StrategyDefinition as
 * the kernel relies on it: the definition is checked at registration, credentials go through create, exists,
 * getInfo, update, validate and delete with clean errors on bad input, a user acts on their own credentials as
 * the strategy declares (from a body, or only through a sign-in elsewhere), a wrong login is a clean 401, the
 * plugin writes only in its own storage namespace, and no secret ever shows in an answer or a log line.
 */
import { describe } from '@jest/globals';
import type { DeepPartial, PluginSource, TesseraConfig } from '@tessera/kernel';
import type { JsonObject } from '@tessera/plugin-sdk';
import { describeCredentialLifecycle } from './internal/strategy-conformance/credential-lifecycle';
import { describeOwnCredentials } from './internal/strategy-conformance/own-credentials';
import { describeRegistration } from './internal/strategy-conformance/registration';
import { describeSandboxAndSecrets } from './internal/strategy-conformance/sandbox-and-secrets';
import { useConformanceKernel } from './internal/strategy-conformance/conformance-kernel';

/** An `auth:login` call: `body` is the login body, `args` extra request arguments (an OAuth callback's). */
export interface StrategyLoginAttempt {
  readonly body?: JsonObject;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** What the suite tells the option callbacks about the kernel it drives. */
export interface StrategyConformanceKernel {
  /** `http://127.0.0.1:<port>`: to start a browser flow before a login, say. */
  readonly url: string;
}

export interface StrategyConformanceOptions {
  /** The strategy's registered name. */
  readonly strategy: string;
  /** The plugin that registers it: its folder (with manifest.json, built), or an in-memory source. */
  readonly plugin: PluginSource;
  /**
   * Plugins loaded before it, if it needs any. They may write to their own namespaces; any write outside the
   * kernel's, the plugin's and theirs fails the suite.
   */
  readonly otherPlugins?: readonly PluginSource[];
  /** Config overrides: the plugin's own section (`plugins: {<name>: {...}}`), a low bcrypt cost... */
  readonly overrides?: DeepPartial<TesseraConfig>;
  /**
   * Valid credentials for the suite's `n`-th fresh user (n = 1, 2, ...). Different `n`, different identity:
   * the suite creates several users at once.
   */
  readonly credentials: (n: number) => JsonObject;
  /** A valid update of user `n`'s credentials, applied to `credentials(n)`. */
  readonly update: (n: number) => JsonObject;
  /** Credentials that creating (and validating) must refuse with a 4xx: missing fields, wrong types. */
  readonly invalidCredentials: readonly JsonObject[];
  /** A login that must fail with a 401 while user `n` holds `credentials(n)` (a wrong password, a forged callback). */
  readonly wrongLogin: (
    n: number,
    kernel: StrategyConformanceKernel,
  ) => StrategyLoginAttempt | Promise<StrategyLoginAttempt>;
  /**
   * A login that must succeed as user `n`: with `credentials(n)` (`'created'`), then after `update(n)`
   * (`'updated'`). Leave it out when logging in needs more than the API (an OAuth provider).
   */
  readonly login?: (
    n: number,
    state: 'created' | 'updated',
    kernel: StrategyConformanceKernel,
  ) => StrategyLoginAttempt | Promise<StrategyLoginAttempt>;
  /** Values that must never appear in an answer or a log line (passwords, client secrets) for user `n`. */
  readonly secrets: (n: number) => readonly string[];
  /**
   * Whether the plugin's own storage may hold a secret as it is (a TOTP seed must be kept). Default false: a
   * secret in plain text anywhere in the store fails the suite. The kernel's namespace may never hold one.
   */
  readonly secretsAtRest?: boolean;
  /**
   * `true` for a strategy whose users get credentials only by signing in somewhere else (an OAuth provider's
   * identity), never from a body of their own: it defines `startLink`. The suite then checks that a user's
   * `auth:createMyCredentials`, `updateMyCredentials`, `validateMyCredentials` and
   * `security:createRestrictedUser` naming credentials are refused with a clean 4xx and change nothing, and that
   * `createMyCredentials` and `updateMyCredentials` with an empty body answer a `url`. Default false: a user
   * creates their own credentials from a body. The `security:*` actions are checked with bodies either way.
   */
  readonly ownCredentialsBySignIn?: boolean;
}

/** Declares the suite for one strategy. One kernel serves the whole suite; each check uses its own users. */
export function describeStrategyConformance(options: StrategyConformanceOptions): void {
  describe(`Strategy conformance: ${options.strategy}`, () => {
    describeRegistration(options);
    const kernel = useConformanceKernel(options);
    describeCredentialLifecycle(options, kernel);
    describeOwnCredentials(options, kernel);
    describeSandboxAndSecrets(options, kernel);
  });
}
