/**
 * A real context for the auth-totp plugin, without the rest of the kernel: the plugin's SQLite namespace in a
 * temporary folder, the kernel's event bus and strategy registry (so logins run through the kernel's own
 * passport driver, `authenticate`), a logger that keeps its lines, and a clock the tests move. Codes are
 * computed the way an authenticator app does: with otpauth, from the otpauth:// URI the enrolment answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authenticate,
  createEventBus,
  createSilentLogger,
  createStorageNamespace,
  passportRequestOf,
  StrategyRegistry,
  type AuthenticationOutcome,
} from '@tessera/kernel';
import { createAuthTotpPlugin, type EnrolmentDocument } from '@tessera/plugin-auth-totp';
import {
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type EventBus,
  type JsonObject,
  type PluginContext,
  type StorageNamespace,
  type StrategyMethods,
} from '@tessera/plugin-sdk';
import { createSqliteStore, type SqliteStore } from '@tessera/storage-sqlite';
import {
  apiRequest as buildApiRequest,
  createRecordingLogger,
  wireError,
  type ApiRequestOptions,
  type LogLine,
} from '@tessera/testing';
import { TOTP, URI } from 'otpauth';

/** The start of a 30-second step: 2030-01-01T00:00:00Z is a multiple of 30 s since the epoch. */
export const START = Date.UTC(2030, 0, 1);
export const STEP_MS = 30_000;
export const ADMIN = 'admin-kuid';

/** What one setup of the plugin registered. */
export interface PluginInstance {
  readonly methods: Required<Omit<StrategyMethods, 'refreshToken' | 'search'>>;
  /** Logs in with the `totp` strategy through the kernel's passport driver. */
  login(body: JsonObject): Promise<AuthenticationOutcome>;
}

export interface Harness extends PluginInstance {
  readonly storage: StorageNamespace;
  readonly bus: EventBus;
  readonly logs: LogLine[];
  /** The plugin's clock, in epoch milliseconds; tests move it. */
  readonly clock: { now: number };
  /** Sets the plugin up again on the same database and clock: another process sharing the store. */
  restart(config?: Record<string, unknown>): Promise<PluginInstance>;
  /** Enrols `kuid` as an administrator would and answers the enrolment (secret, uri, qrCode). */
  enrol(kuid: string, fields?: JsonObject): Promise<Enrolment>;
  /** Enrols and confirms `kuid` with the code of the current step; the clock then moves one step on. */
  enrolConfirmed(kuid: string): Promise<Enrolment>;
  /** Runs the `auth:strategyAuthenticated` pipeline as `auth:login` does after `strategy` authenticated `kuid`. */
  strategyAuthenticated(strategy: string, kuid: string, body: JsonObject): Promise<unknown>;
  enrolments(): Promise<EnrolmentDocument[]>;
  close(): Promise<void>;
}

export interface Enrolment extends JsonObject {
  kuid: string;
  confirmed: boolean;
  secret: string;
  uri: string;
  qrCode: string;
}

export async function startAuthTotp(config: Record<string, unknown> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-auth-totp-'));
  const adapter: SqliteStore = createSqliteStore({ path: join(dir, 'tessera.db') });
  await adapter.open();
  const storage = createStorageNamespace(adapter, 'plugin:auth-totp');
  const logs: LogLine[] = [];
  const clock = { now: START };
  const bus = createEventBus(createSilentLogger());
  let unpipe: (() => void)[] = [];

  const setup = async (pluginConfig: Record<string, unknown>): Promise<PluginInstance> => {
    // A new instance replaces the previous one's pipes, as a restarted process would.
    for (const release of unpipe) release();
    unpipe = [];
    const strategies = new StrategyRegistry();
    const ctx: PluginContext = Object.freeze({
      name: 'auth-totp',
      config: structuredClone(pluginConfig),
      log: createRecordingLogger(logs),
      storage,
      bus: {
        ...bus,
        pipe: (event: string, handler: never) => {
          const release = bus.pipe(event, handler);
          unpipe.push(release);
          return release;
        },
      },
      strategies: strategies.registrarFor('auth-totp'),
      api: { register: () => undefined },
      identity: { describe: () => Promise.resolve(null) },
      accounts: {
        createUser: () => Promise.reject(new Error('auth-totp creates no users')),
        credentialsCreated: () => Promise.reject(new Error('auth-totp reports no credentials')),
        credentialsChanged: () => Promise.reject(new Error('auth-totp reports no credentials')),
      },
      errors: { create: tesseraError, is: isTesseraError },
    });
    await createAuthTotpPlugin({ now: () => clock.now }).setup(ctx);
    const strategy = strategies.get('totp');
    return {
      methods: strategy.methods as PluginInstance['methods'],
      login: (body) =>
        authenticate(
          strategy,
          passportRequestOf(strategy, apiRequest({ controller: 'auth', action: 'login', body, user: null })),
        ),
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
  const harness: Harness = {
    ...instance,
    storage,
    bus,
    logs,
    clock,
    restart: (next = config) => setup(next),
    enrol: async (kuid, fields = {}) =>
      (await instance.methods.create(apiRequest(), fields, kuid, 'totp')) as Enrolment,
    enrolConfirmed: async (kuid) => {
      const enrolment = await harness.enrol(kuid);
      if (!enrolment.confirmed) {
        const code = codeAt(enrolment, clock.now);
        await instance.methods.update(apiRequest({ body: { code } }), { code }, kuid, 'totp');
        clock.now += STEP_MS;
      }
      return enrolment;
    },
    strategyAuthenticated: (strategy, kuid, body) =>
      bus.pipeline('auth:strategyAuthenticated', {
        strategy,
        kuid,
        request: apiRequest({ controller: 'auth', action: 'login', body, user: null }),
      }),
    enrolments: async () =>
      (await (await storage.collection<EnrolmentDocument>('enrolments')).search({}, { size: 100 })).hits.map(
        (hit) => hit._source,
      ),
    close,
  };
  return harness;
}

/** The code an authenticator app holding `enrolment` shows at `timeMs`. */
export function codeAt(enrolment: { uri: string }, timeMs: number): string {
  const otp = URI.parse(enrolment.uri);
  if (!(otp instanceof TOTP)) throw new Error(`not a TOTP URI: ${enrolment.uri}`);
  return otp.generate({ timestamp: timeMs });
}

/** A code of the right shape that is not the code of any step within `steps` of `timeMs`. */
export function wrongCodeAt(enrolment: { uri: string }, timeMs: number, steps = 3): string {
  const taken = new Set<string>();
  for (let i = -steps; i <= steps; i += 1) taken.add(codeAt(enrolment, timeMs + i * STEP_MS));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!taken.has(code)) return code;
  }
}

/** An API request as the funnel hands it to strategies; by default an administrator's `security` call. */
export function apiRequest(options: ApiRequestOptions = {}): ApiRequest {
  return buildApiRequest({ user: ADMIN, ...options });
}

export { wireError };
