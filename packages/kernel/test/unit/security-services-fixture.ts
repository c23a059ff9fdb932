/**
 * What the user-creation and security-controller tests share: the real security services (SecurityRepository,
 * TokenManager, StrategyRegistry, Credentials) on a SQLite file in a temp folder, a recorded event stream and
 * error log, and a test strategy whose credentials live in a plugin namespace collection with a unique
 * username, as the local strategy keeps them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  DocumentCollection,
  JsonObject,
  LogFields,
  Logger,
  PassportStrategy,
  PassportStrategyActions,
} from '@tessera/plugin-sdk';
import { createLocalBus, createOneNodePorts } from '@tessera/cluster';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { ActionRegistry } from '../../src/api/action-registry';
import { Request } from '../../src/api/request';
import { defaultConfig } from '../../src/config';
import { createEventBus, type KernelEventBus } from '../../src/events/event-bus';
import { SecurityRepository, bootstrapSecurity } from '../../src/security/accounts';
import { createTokenLinks } from '../../src/realtime';
import { Credentials } from '../../src/security/credentials';
import { LoginThrottle } from '../../src/security/login-throttle';
import type { SecurityServices } from '../../src/security/security-services';
import { StrategyRegistry } from '../../src/security/strategies';
import { TokenManager } from '../../src/security/tokens';
import { UserCreationJournal } from '../../src/security/user-creation-journal';
import { createStorageNamespace } from '@tessera/store';

/** What the test strategy stores: a plain password, since only these tests ever read it. */
export interface TestCredentials {
  username: string;
  password: string;
  kuid: string;
}

export interface RecordedEvent {
  event: string;
  payload: unknown;
}

export interface Harness {
  /** The bus is the kernel's own: the funnel asks it who listens. */
  services: SecurityServices & { readonly bus: KernelEventBus };
  registry: ActionRegistry;
  events: RecordedEvent[];
  errors: { message: string; fields?: LogFields }[];
  /** Registers a test strategy and returns the collection holding its credentials. */
  addStrategy(
    name: string,
    options?: {
      failingDelete?: boolean;
      /** Runs as the credentials are about to be written (what happens elsewhere meanwhile). */
      beforeCreate?: () => Promise<unknown>;
    },
  ): Promise<DocumentCollection<TestCredentials>>;
  /** How many user documents are stored. */
  userCount(): Promise<number>;
  /** A new SecurityRepository over the same store, with nothing in memory: what a restarted server reads. */
  reopenAccounts(): Promise<SecurityRepository>;
  close(): Promise<void>;
}

export const ADMIN = { _id: 'the-admin', profileIds: ['admin'] };

export async function openHarness(): Promise<Harness> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tessera-security-services-'));
  const adapter = createSqliteStore({ path: path.join(folder, 'store.db') });
  await adapter.open();
  const errors: Harness['errors'] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => void errors.push({ message, fields }),
    child: () => log,
  };
  const config = defaultConfig().security;
  const bus = createEventBus(log);
  const registry = new ActionRegistry();
  const kernel = createStorageNamespace(adapter, 'kernel');
  const plugin = createStorageNamespace(adapter, 'plugin:test');
  const accounts = await SecurityRepository.open({
    storage: kernel,
    registry,
    log,
    clusterBus: createLocalBus(),
    bus,
  });
  await bootstrapSecurity(accounts);
  const { tokenStore, limiters } = createOneNodePorts(adapter);
  const tokens = new TokenManager({ namespace: kernel, store: tokenStore, config: config.jwt, bus, log });
  await tokens.init();
  const strategies = new StrategyRegistry();
  const credentials = new Credentials({ strategies, bus });
  const services: Harness['services'] = {
    accounts,
    tokens,
    strategies,
    credentials,
    creations: await UserCreationJournal.open(kernel),
    throttle: new LoginThrottle(config.login, limiters),
    tokenLinks: createTokenLinks(),
    registry,
    bus,
    log,
    config,
  };
  const events: RecordedEvent[] = [];
  // The domain events only: the funnel's request and action events would drown them.
  for (const domain of ['user', 'credentials', 'token']) {
    bus.hook(`${domain}:*`, (payload, event) => void events.push({ event, payload }));
  }

  return {
    services,
    registry,
    events,
    errors,
    async addStrategy(name, options = {}) {
      const store = await plugin.collection<TestCredentials>(name, { unique: ['username'] });
      strategies
        .registrarFor('test')
        .register(name, testStrategy(store, options.failingDelete === true, options.beforeCreate));
      return store;
    },
    async userCount() {
      return (await accounts.users.search({}, { size: 1 })).total;
    },
    reopenAccounts() {
      return SecurityRepository.open({
        storage: kernel,
        registry,
        log,
        clusterBus: createLocalBus(),
        bus,
      });
    },
    async close() {
      await adapter.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A request made by ADMIN (or by `user`), as the funnel would hand it to an action. */
export function requestBy(user: Request['user'] = ADMIN, body: JsonObject | null = null): Request {
  const request = new Request(
    `request-${Math.random().toString(36).slice(2)}`,
    { controller: 'security', action: 'test', jwt: null, body, args: {}, volatile: null },
    { id: 'connection-1', protocol: 'internal', address: null, ips: [], headers: {} },
  );
  request.user = user;
  return request;
}

/** Never authenticates: these tests exercise the credential methods only. */
class NoLogin implements PassportStrategy {
  authenticate(this: PassportStrategyActions): void {
    this.fail();
  }
}

const byKuid = (kuid: string) => ({ query: { term: { kuid } } });

function record(credentials: JsonObject, kuid: string): TestCredentials {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { username: text(credentials.username), password: text(credentials.password), kuid };
}

function testStrategy(
  store: DocumentCollection<TestCredentials>,
  failingDelete: boolean,
  beforeCreate?: () => Promise<unknown>,
) {
  return {
    authenticator: NoLogin,
    fields: ['username', 'password'],
    methods: {
      verify: () => Promise.resolve(false as const),
      exists: async (_request: unknown, kuid: string) => (await store.count(byKuid(kuid))) > 0,
      // Refuses a missing username and the password "weak"; a taken username is left to the unique index.
      validate: (_request: unknown, credentials: JsonObject) => {
        if (typeof credentials.username !== 'string')
          return Promise.reject(new Error('a username is required'));
        if (credentials.password === 'weak') return Promise.reject(new Error('password too weak'));
        return Promise.resolve(true);
      },
      create: async (_request: unknown, credentials: JsonObject, kuid: string) => {
        await beforeCreate?.();
        const stored = await store.create(record(credentials, kuid));
        return { username: stored._source.username, kuid };
      },
      update: async (_request: unknown, credentials: JsonObject, kuid: string) => {
        await store.deleteByQuery(byKuid(kuid));
        const stored = await store.create(record(credentials, kuid));
        return { username: stored._source.username, kuid };
      },
      delete: async (_request: unknown, kuid: string) => {
        if (failingDelete) throw new Error('the credentials store is down');
        await store.deleteByQuery(byKuid(kuid));
      },
      getInfo: async (_request: unknown, kuid: string): Promise<JsonObject> => {
        const { hits } = await store.search(byKuid(kuid));
        return hits[0] === undefined ? {} : { username: hits[0]._source.username, kuid };
      },
    },
  };
}
