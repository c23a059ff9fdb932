/**
 * A real context for the auth-totp plugin, without a server: `createPluginTestContext` from @tessera/testing
 * (the kernel's own context factory, the plugin's SQLite namespace in a temporary folder, the kernel's event bus
 * and strategy registry, so logins run through the kernel's own passport driver), and a clock the tests move.
 * Codes are computed the way an authenticator app does: with otpauth, from the otpauth:// URI the enrolment
 * answered.
 */
import { createAuthTotpPlugin, type EnrolmentDocument } from '@tessera/plugin-auth-totp';
import type {
  ApiRequest,
  EventBus,
  JsonObject,
  StorageNamespace,
  StrategyMethods,
} from '@tessera/plugin-sdk';
import {
  apiRequest as buildApiRequest,
  createPluginTestContext,
  wireError,
  type ApiRequestOptions,
  type AuthenticationOutcome,
  type LogLine,
  type PluginTestContext,
} from '@tessera/testing';
import { TOTP, URI } from 'otpauth';

/** The start of a 30-second step: 2030-01-01T00:00:00Z is a multiple of 30 s since the epoch. */
export const START = Date.UTC(2030, 0, 1);
export const STEP_MS = 30_000;
export const ADMIN = 'admin-kuid';

/** What one setup of the plugin registered. */
export interface PluginInstance {
  readonly methods: Required<
    Omit<StrategyMethods, 'refreshToken' | 'search' | 'startLink' | 'changesSecret'>
  >;
  /** Logs in with the `totp` strategy through the kernel's passport driver. */
  login(body: JsonObject): Promise<AuthenticationOutcome>;
}

export interface Harness extends PluginInstance {
  readonly storage: StorageNamespace;
  /** The kernel's bus, on which the plugin hooks and pipes. */
  readonly bus: EventBus;
  readonly logs: LogLine[];
  /** The plugin's clock, in epoch milliseconds; tests move it. */
  readonly clock: { now: number };
  /** Sets the plugin up again on the same database, bus and clock: the previous setup's pipes are released. */
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
  const clock = { now: START };
  let current: PluginTestContext = await createPluginTestContext({ name: 'auth-totp', config });

  const setup = async (test: PluginTestContext): Promise<PluginInstance> => {
    await test.setup(createAuthTotpPlugin({ now: () => clock.now }));
    const strategy = test.strategy('totp');
    return {
      methods: strategy.methods as PluginInstance['methods'],
      login: (body) => test.login('totp', { body }),
    };
  };

  let instance: PluginInstance;
  try {
    instance = await setup(current);
  } catch (error) {
    await current.close();
    throw error;
  }
  const { storage, bus, logs } = current;
  const harness: Harness = {
    ...instance,
    storage,
    bus,
    logs,
    clock,
    restart: async (next = config) => {
      current = await current.restart(next);
      return setup(current);
    },
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
    close: () => current.close(),
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
