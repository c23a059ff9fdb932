/**
 * A real context for the auth-local plugin, without the kernel: the plugin's SQLite namespace in a temporary
 * folder, a logger that keeps its lines, registrars that keep what the plugin registers, and identities from a
 * Map. Logins drive passport-local the way the kernel does: built with `passReqToCallback: true` and a verify
 * adapter, then `authenticate` on an object created from it that receives success, fail and error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus, createSilentLogger, createStorageNamespace } from '@tessera/kernel';
import {
  createAuthLocalPlugin,
  bcryptHasher,
  type CredentialsDocument,
  type PasswordHasher,
} from '@tessera/plugin-auth-local';
import {
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type IdentitySummary,
  type JsonObject,
  type PassportRequest,
  type PassportStrategy,
  type PassportStrategyActions,
  type PluginActionDefinition,
  type PluginContext,
  type StorageNamespace,
  type StoredDocument,
  type StrategyDefinition,
  type StrategyMethods,
  type VerifyResult,
  type CredentialsChange,
} from '@tessera/plugin-sdk';
import { createSqliteStore, type SqliteStore } from '@tessera/storage-sqlite';
import {
  apiRequest as buildApiRequest,
  createRecordingLogger,
  wireError,
  type ApiRequestOptions,
  type LogLine,
} from '@tessera/testing';

export const START = Date.UTC(2030, 0, 1);
export const ADMIN = 'admin-kuid';

export type { LogLine };

export type LoginOutcome =
  | { readonly kind: 'success'; readonly kuid: unknown }
  | { readonly kind: 'fail'; readonly challenge: unknown; readonly status: number | undefined };

/** The stored credentials document, as the store holds it (hashes included: tests only). */
export type StoredCredentials = CredentialsDocument;

/** What one setup of the plugin registered. */
export interface PluginInstance {
  readonly strategy: StrategyDefinition;
  /** The strategy's methods, optional ones included (the local strategy has them all). */
  readonly methods: Required<Omit<StrategyMethods, 'refreshToken'>>;
  readonly controllers: ReadonlyMap<string, Readonly<Record<string, PluginActionDefinition>>>;
  /** Runs an action of the `password` controller. */
  action(name: string, request: ApiRequest): Promise<unknown>;
  /** Logs in with the `local` strategy as the kernel will: passport-local reads `body`. */
  login(body: JsonObject): Promise<LoginOutcome>;
}

export interface Harness extends PluginInstance {
  readonly storage: StorageNamespace;
  readonly identities: Map<string, IdentitySummary>;
  readonly logs: LogLine[];
  /** bcrypt calls made through the plugin's hasher, and the cost of each hash compared against. */
  readonly calls: { hash: number; compare: number; comparedCosts: number[] };
  /** The plugin's clock, in epoch milliseconds; tests move it. */
  readonly clock: { now: number };
  /** What the plugin told the kernel through `ctx.accounts.credentialsCreated/credentialsChanged`, in order. */
  readonly credentialChanges: Record<string, unknown>[];
  /** Sets the plugin up again, with another config, on the same database, clock, counters and identities. */
  restart(config: Record<string, unknown>): Promise<PluginInstance>;
  credentials(): Promise<StoredDocument<StoredCredentials>[]>;
  close(): Promise<void>;
}

/** Cost 4 (bcrypt's minimum) keeps the tests fast unless a test says otherwise. */
export async function startAuthLocal(config: Record<string, unknown> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-auth-local-'));
  const adapter: SqliteStore = createSqliteStore({ path: join(dir, 'tessera.db') });
  await adapter.open();
  const storage = createStorageNamespace(adapter, 'plugin:auth-local');
  const identities = new Map<string, IdentitySummary>();
  const logs: LogLine[] = [];
  const calls = { hash: 0, compare: 0, comparedCosts: [] as number[] };
  const clock = { now: START };
  const credentialChanges: Record<string, unknown>[] = [];
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

  const setup = async (pluginConfig: Record<string, unknown>): Promise<PluginInstance> => {
    const strategies = new Map<string, StrategyDefinition>();
    const controllers = new Map<string, Readonly<Record<string, PluginActionDefinition>>>();
    const ctx: PluginContext = Object.freeze({
      name: 'auth-local',
      config: structuredClone({ bcryptCost: 4, ...pluginConfig }),
      log: createRecordingLogger(logs),
      storage,
      bus: createEventBus(createSilentLogger()),
      strategies: {
        register: (name: string, definition: StrategyDefinition) => void strategies.set(name, definition),
        unregister: (name: string) => void strategies.delete(name),
      },
      api: {
        register: (controller: string, actions: Readonly<Record<string, PluginActionDefinition>>) =>
          void controllers.set(controller, actions),
      },
      identity: { describe: (kuid: string) => Promise.resolve(identities.get(kuid) ?? null) },
      accounts: {
        createUser: () => Promise.reject(new Error('auth-local creates no users')),
        credentialsCreated: (kuid: string, change: CredentialsChange) => {
          credentialChanges.push({ kuid, ...change, event: 'created' });
          return Promise.resolve();
        },
        credentialsChanged: (kuid: string, change: CredentialsChange & { secretChanged?: boolean }) => {
          credentialChanges.push({ kuid, ...change, event: 'changed' });
          return Promise.resolve();
        },
      },
      errors: { create: tesseraError, is: isTesseraError },
    });
    await createAuthLocalPlugin({ hasher, now: () => clock.now }).setup(ctx);
    const strategy = strategies.get('local');
    if (strategy === undefined) throw new Error('the plugin registered no "local" strategy');
    return {
      strategy,
      methods: strategy.methods as PluginInstance['methods'],
      controllers,
      action: async (name, request) => {
        const action = controllers.get('password')?.[name];
        if (action === undefined) throw new Error(`no action password:${name}`);
        return await action.handler(request);
      },
      login: (body) => login(strategy, body),
    };
  };

  const close = async (): Promise<void> => {
    await adapter.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let instance: PluginInstance;
  try {
    instance = await setup(config);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ...instance,
    storage,
    identities,
    logs,
    calls,
    clock,
    credentialChanges,
    restart: setup,
    credentials: async () =>
      (await (await storage.collection<StoredCredentials>('credentials')).search({}, { size: 100 })).hits,
    close,
  };
}

type Done = (error: unknown, user?: string | false, info?: { message?: string }) => void;

function login(strategy: StrategyDefinition, body: JsonObject): Promise<LoginOutcome> {
  // The kernel binds the methods to their object too.
  const verify = strategy.methods.verify.bind(strategy.methods) as (
    request: PassportRequest,
    ...args: unknown[]
  ) => Promise<VerifyResult>;
  const adapter = (request: PassportRequest, username: unknown, password: unknown, done: Done): void => {
    verify(request, username, password).then((result) => {
      if (result === false || result.kuid === null)
        done(null, false, { message: result ? result.message : undefined });
      else done(null, result.kuid);
    }, done);
  };
  const request = apiRequest({ controller: 'auth', action: 'login', body, user: null });
  const passportRequest: PassportRequest = {
    original: request,
    body,
    query: request.input.args,
    headers: {},
    method: 'POST',
    url: '/login?strategy=local',
  };
  const passport = new strategy.authenticator(
    { ...strategy.strategyOptions, passReqToCallback: true },
    adapter,
  );
  return new Promise((resolve, reject) => {
    const attempt = Object.create(passport) as PassportStrategy & PassportStrategyActions;
    attempt.success = (kuid) => resolve({ kind: 'success', kuid });
    attempt.fail = (challenge, status) => resolve({ kind: 'fail', challenge, status });
    attempt.error = reject;
    attempt.redirect = (url) => reject(new Error(`unexpected redirect to ${url}`));
    attempt.pass = () => reject(new Error('unexpected pass'));
    attempt.authenticate(passportRequest, { ...strategy.authenticateOptions });
  });
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
