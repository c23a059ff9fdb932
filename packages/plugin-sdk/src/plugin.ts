/**
 * A plugin: a manifest.json beside a module whose default export (or `plugin` export) is `definePlugin({...})`.
 * It sees only its frozen PluginContext, never the kernel.
 */
import type { tesseraError, isTesseraError, TesseraError } from './errors/tessera-error';
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

/** One profile as a plugin may know it: its id and the roles its policies name. */
export interface ProfileSummary {
  readonly profileId: string;
  readonly roleIds: readonly string[];
}

/** What `ctx.api.execute` answers: the action's result, or the error it answered with (never thrown). */
export interface ExecutionOutcome {
  readonly status: number;
  readonly result: unknown;
  readonly error: TesseraError | null;
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
    /**
     * Runs an API action on behalf of the caller of `caller`, a request the plugin is handling (one its action or
     * pipe received, or `original` of a passport request): same connection, same token, so the caller's rights
     * apply and the plugin can do nothing the caller could not. `envelope` is a Kuzzle request envelope
     * (`controller`, `action`, `body`, arguments); a `jwt` in it is ignored. Resolves with the outcome, even an
     * error one. Anything but a request the kernel handed the plugin is refused (`plugin.assert.invalid_caller`).
     */
    execute(envelope: Readonly<Record<string, unknown>>, caller: ApiRequest): Promise<ExecutionOutcome>;
  };
  /** Read-only facts about users and profiles, for strategies whose rules depend on profiles or roles. */
  readonly identity: {
    /** The user's kuid, profile ids and role ids; null when there is no such user. */
    describe(kuid: string): Promise<IdentitySummary | null>;
    /** The profiles among `profileIds` that exist, in that order, each with the role ids of its policies. */
    profiles(profileIds: readonly string[]): Promise<ProfileSummary[]>;
  };
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

/**
 * A foreign plugin format (Kuzzle's, say): how the kernel recognises a plugin folder whose manifest is not
 * Tessera's, and turns it into a Tessera plugin before any of its code runs. Given to the kernel by the
 * composition root; the translated plugin gets the same context, sandbox and checks as any other.
 */
export interface PluginFormat {
  /** Names the format in boot messages ("Kuzzle"). */
  readonly name: string;
  /** Whether this parsed `manifest.json` is of this format (no code of the plugin has run yet). */
  recognises(manifest: Readonly<Record<string, unknown>>): boolean;
  /**
   * Translates the plugin in `dir`: its Tessera manifest (checked by the kernel as any other) and how to load
   * its definition. `config` is the plugin's own section, `plugins.<name>`. Throws a TesseraError naming the
   * plugin and the field when the manifest cannot be honoured.
   */
  translate(input: {
    readonly dir: string;
    readonly manifest: Readonly<Record<string, unknown>>;
    readonly config: Readonly<Record<string, unknown>>;
  }): Promise<TranslatedPlugin> | TranslatedPlugin;
}

export interface TranslatedPlugin {
  readonly manifest: Omit<PluginManifest, 'main'>;
  /** Loads the plugin's code and returns its definition (called once, when the plugin's turn to set up comes). */
  load(): PluginDefinition;
}
