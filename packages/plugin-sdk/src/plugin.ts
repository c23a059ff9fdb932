/**
 * A plugin: a manifest.json beside a module whose default export (or `plugin` export) is `definePlugin({...})`.
 * It sees only its frozen PluginContext, never the kernel.
 */
import type { tesseraError, isTesseraError } from './errors/tessera-error';
import type { PluginErrors } from './errors/plugin-errors';
import type { EventBus } from './events';
import type { Logger } from './logger';
import type { StorageNamespace } from './storage';
import type { StrategyRegistrar } from './strategy';
import type { ApiRequest } from './request';
import type { JsonObject } from './storage';
import type { ConfigSchema } from './config-schema';

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The fields of `manifest.json`. */
export interface PluginManifest {
  /** `^[a-z][a-z0-9-]*$`: also names the plugin's storage namespace and config section. */
  name: string;
  version: string;
  /** Semver range of Tessera versions the plugin supports. */
  kernel: string;
  /** Entry module, relative to the manifest. */
  main: string;
  /** Names of plugins this one needs: they are set up first, and the boot stops when one is not loaded. */
  dependsOn?: readonly string[];
}

/** An API action a plugin adds; its controller is named `<plugin>/<controller>` on the wire. */
export interface PluginActionDefinition {
  /**
   * HTTP routes. A path starting with "/" is served as `/_<path>`; any other as `/_/<plugin>/<path>`
   * (Kuzzle's plugin routes).
   */
  readonly http?: readonly {
    readonly verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    readonly path: string;
  }[];
  handler(request: ApiRequest): unknown;
}

/** What a plugin may know of a user: who they are and which profiles and roles they hold, nothing else. */
export interface IdentitySummary {
  readonly kuid: string;
  readonly profileIds: readonly string[];
  readonly roleIds: readonly string[];
}

/** A user a plugin creates (a strategy's first login): see `PluginContext.accounts.createUser`. */
export interface PluginNewUser {
  /** The profiles the user gets; each must exist. */
  readonly profileIds: readonly string[];
  /** Other content of the user document (`profileIds` here is ignored). */
  readonly content?: JsonObject;
  /**
   * Strategy name -> credentials, created with the user, all or nothing. Only strategies this plugin registered:
   * a strategy whose store refuses the credentials (a concurrent first login took the identity) leaves no user.
   */
  readonly credentials?: Readonly<Record<string, JsonObject>>;
}

/** Which credentials changed: the strategy (one the plugin registered) and who made the change. */
export interface CredentialsChange {
  readonly strategy: string;
  /** The kuid of whoever made the change (default: the user's own). */
  readonly author?: string;
}

export interface PluginContext<Config = Record<string, unknown>> {
  readonly name: string;
  /**
   * `plugins.<name>` from the server config, deep-frozen: as the plugin's `configSchema` returned it (defaults
   * filled in, values converted), or a copy of it as configured when the plugin declares no schema.
   */
  readonly config: DeepReadonly<Config>;
  readonly log: Logger;
  /** The plugin's own namespace (`plugin:<name>`); no API reaches another. */
  readonly storage: StorageNamespace;
  /**
   * Hooks and pipes on any event; `emit` and `pipeline` only on the plugin's own events, `plugin:<name>:<event>`
   * (the kernel's events are the kernel's to emit: see `accounts` for what a plugin may tell it).
   */
  readonly bus: EventBus;
  /** Registers the plugin's authentication strategies. */
  readonly strategies: StrategyRegistrar;
  /** Adds API actions under `<plugin>/<controller>`; rights apply to them as to any action. */
  readonly api: {
    register(controller: string, actions: Readonly<Record<string, PluginActionDefinition>>): void;
  };
  /** Read-only facts about a user, for strategies whose rules depend on profiles or roles (null: no such user). */
  readonly identity: { describe(kuid: string): Promise<IdentitySummary | null> };
  /**
   * Creates a user through the kernel's atomic user creation (generated kuid, `user:created` emitted with the
   * new kuid as author) and resolves to its kuid.
   */
  readonly accounts: {
    createUser(user: PluginNewUser): Promise<string>;
    /**
     * Tells the kernel that the credentials of `kuid` for `change.strategy`, a strategy this plugin registered,
     * were created outside a kernel action (a sign-in elsewhere): emits `credentials:created`.
     */
    credentialsCreated(kuid: string, change: CredentialsChange): Promise<void>;
    /**
     * Tells the kernel that the credentials of `kuid` for `change.strategy`, a strategy this plugin registered,
     * changed outside a kernel action (a reset flow, a new linked identity): runs `credentials:updated`, which
     * revokes the user's tokens when `secretChanged` (the default). Refused for a strategy of another plugin.
     */
    credentialsChanged(kuid: string, change: CredentialsChange & { secretChanged?: boolean }): Promise<void>;
  };
  readonly errors: {
    readonly create: typeof tesseraError;
    readonly is: typeof isTesseraError;
  };
}

export interface PluginDefinition<Config = Record<string, unknown>> {
  /**
   * The plugin's own errors (`definePluginErrors`), registered by the kernel before setup: their subdomain must
   * be free and their plugin name the manifest's.
   */
  readonly errors?: PluginErrors;
  /**
   * What `plugins.<name>` may hold, as any Standard Schema (zod, valibot, arktype...). The kernel checks the
   * configuration with it before setup: the first issue stops the boot, naming the key
   * (`plugins.<name>.<path>`); what the schema returns is `ctx.config`.
   */
  readonly configSchema?: ConfigSchema<unknown, Config>;
  /** Runs once at boot, under `plugins.setupTimeout`; throwing stops the boot. */
  setup(ctx: PluginContext<Config>): void | Promise<void>;
  /** Runs at shutdown, in the reverse order of setup. */
  teardown?(): void | Promise<void>;
}

/**
 * Declares a plugin; the identity function, there for the types. With a `configSchema`, `ctx.config` has the
 * type the schema produces.
 */
export function definePlugin<Config = Record<string, unknown>>(
  definition: PluginDefinition<Config>,
): PluginDefinition<Config> {
  return definition;
}
