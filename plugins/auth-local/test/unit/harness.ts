/**
 * A real context for the auth-local plugin, without a server: `createPluginTestContext` from @tessera/testing
 * (the kernel's own context factory, the plugin's SQLite namespace in a temporary folder, the kernel's bus and
 * strategy registry), a hasher that counts bcrypt calls, and a clock the tests move. Logins run through the
 * kernel's passport driver.
 */
import {
  createAuthLocalPlugin,
  bcryptHasher,
  type CredentialsDocument,
  type PasswordHasher,
} from '@tessera/plugin-auth-local';
import type {
  ApiRequest,
  IdentitySummary,
  JsonObject,
  StorageNamespace,
  StoredDocument,
  StrategyMethods,
} from '@tessera/plugin-sdk';
import {
  apiRequest as buildApiRequest,
  createPluginTestContext,
  wireError,
  type AccountCall,
  type ApiRequestOptions,
  type AuthenticationOutcome,
  type RegisteredStrategy,
  type LogLine,
  type PluginTestContext,
} from '@tessera/testing';

export const START = Date.UTC(2030, 0, 1);
export const ADMIN = 'admin-kuid';

export type { LogLine };

/** The stored credentials document, as the store holds it (hashes included: tests only). */
export type StoredCredentials = CredentialsDocument;

/** What one instance of the plugin registered. */
export interface PluginInstance {
  /** The "local" strategy as the kernel registered it. */
  readonly strategy: RegisteredStrategy;
  /** The strategy's methods as the kernel calls them, optional ones included (the local strategy has them all). */
  readonly methods: Required<Omit<StrategyMethods, 'refreshToken' | 'startLink'>>;
  /** The wire routes of the actions the plugin added. */
  readonly routes: readonly { verb: string; path: string; controller: string; action: string }[];
  /** Runs an action of the `password` controller, as the funnel does. */
  action(name: string, request: ApiRequest): Promise<unknown>;
  /** Logs in with the `local` strategy through the kernel's passport driver: passport-local reads `body`. */
  login(body: JsonObject): Promise<AuthenticationOutcome>;
  /** What this instance told the kernel through `ctx.accounts`, in order. */
  readonly accountCalls: readonly AccountCall[];
}

export interface Harness extends PluginInstance {
  readonly storage: StorageNamespace;
  readonly identities: Map<string, IdentitySummary>;
  readonly logs: LogLine[];
  /** bcrypt calls made through the plugin's hasher, and the cost of each hash compared against. */
  readonly calls: { hash: number; compare: number; comparedCosts: number[] };
  /** The plugin's clock, in epoch milliseconds; tests move it. */
  readonly clock: { now: number };
  /**
   * Another instance of the plugin, with another config, on the same database, clock, counters, identities and
   * logs (a second node): this one keeps running.
   */
  restart(config: Record<string, unknown>): Promise<PluginInstance>;
  credentials(): Promise<StoredDocument<StoredCredentials>[]>;
  close(): Promise<void>;
}

/** Cost 4 (bcrypt's minimum) keeps the tests fast unless a test says otherwise. */
export async function startAuthLocal(config: Record<string, unknown> = {}): Promise<Harness> {
  const calls = { hash: 0, compare: 0, comparedCosts: [] as number[] };
  const clock = { now: START };
  const hasher: PasswordHasher = {
    hash: (password, cost) => {
      calls.hash += 1;
      return bcryptHasher.hash(password, cost);
    },
    compare: (password, hash) => {
      calls.compare += 1;
      // A bcrypt hash reads $2b$<cost>$<salt and digest>.
      calls.comparedCosts.push(Number(hash.split('$')[2]));
      return bcryptHasher.compare(password, hash);
    },
  };
  const withCost = (pluginConfig: Record<string, unknown>) => ({ bcryptCost: 4, ...pluginConfig });
  const first = await createPluginTestContext({ name: 'auth-local', config: withCost(config) });
  const others: PluginTestContext[] = [];

  const close = async (): Promise<void> => {
    for (const other of others) await other.close();
    await first.close();
  };
  const setup = async (test: PluginTestContext): Promise<PluginInstance> => {
    await test.setup(createAuthLocalPlugin({ hasher, now: () => clock.now }));
    const strategy = test.strategy('local');
    return {
      strategy,
      methods: strategy.methods as PluginInstance['methods'],
      routes: test.routes(),
      action: (name, request) => test.action('password', name, request),
      login: (body) => test.login('local', { body }),
      accountCalls: test.accountCalls,
    };
  };

  let instance: PluginInstance;
  try {
    instance = await setup(first);
  } catch (error) {
    await close();
    throw error;
  }
  const { store, storage, identities, logs } = first;
  return {
    ...instance,
    storage,
    identities,
    logs,
    calls,
    clock,
    restart: async (next) => {
      const other = await createPluginTestContext({
        name: 'auth-local',
        config: withCost(next),
        store,
        identities,
        logs,
      });
      others.push(other);
      return setup(other);
    },
    credentials: async () =>
      (await (await storage.collection<StoredCredentials>('credentials')).search({}, { size: 100 })).hits,
    close,
  };
}

/** An API request as the funnel hands it to strategies; by default an administrator's `security` call. */
export function apiRequest(options: ApiRequestOptions = {}): ApiRequest {
  return buildApiRequest({ user: ADMIN, ...options });
}

export { wireError };

/** Fails when `value`'s JSON form holds a bcrypt hash or any of `passwords`. */
export function expectNoSecrets(value: unknown, passwords: readonly string[]): void {
  const json = JSON.stringify(value) ?? '';
  const leaks = [/\$2[aby]\$\d\d\$/.exec(json)?.[0], ...passwords.filter((p) => json.includes(p))];
  if (leaks.some((leak) => leak !== undefined)) {
    throw new Error(`secret found in ${json}`);
  }
}
