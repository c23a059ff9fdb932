/**
 * The kernel: wires the bus, the action registry, the funnel, the security services, the controllers, the
 * plugins and both transports around one Store adapter, and owns their start and graceful stop. Everything is
 * built here from explicit parameters; nothing is global. What a node shares with the others of a cluster
 * (the ClusterBus, the TokenStore, the limiters) is given by the composition root, never built here.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import proxyaddr from 'proxy-addr';
import {
  KERNEL_NAMESPACE,
  relayEvents,
  type ClusterBus,
  type LimiterStore,
  type TokenStore,
} from '@tessera/cluster';
import {
  tesseraError,
  type DocumentNotification,
  type EventBus,
  type IdentitySummary,
  type JsonValue,
  type Logger,
  type PluginFormat,
  type ProfileSummary,
  type Unsubscribe,
} from '@tessera/plugin-sdk';
import { ActionRegistry } from './api/action-registry';
import { KUZZLE_UNSERVED_ROUTES } from './api/kuzzle-unserved-routes';
import { collectionController, indexController, refuseDataApi } from './controllers/data-api-controllers';
import { Funnel, type RequestAuthorizer } from './api/funnel';
import { Request } from './api/request';
import type { TesseraConfig } from './config';
import { authController } from './controllers/auth-controller';
import { adminExistsAction, securityController } from './controllers/security-controller';
import { serverController } from './controllers/server-controller';
import { trackNodeMetrics, type NodeMetrics } from './controllers/server/node-metrics';
import { checkHealth, storeProbe, type ServiceProbe } from './controllers/server/service-probe';
import { createEventBus } from './events/event-bus';
import { realtimeController } from './controllers/realtime-controller';
import { createPluginManager, type PluginSource, type RegisteredPluginErrors } from './plugins';
import type { ClientConnections } from './realtime/client-connections';
import {
  AUTH_EVENTS,
  AUTH_EVENTS_RIGHT,
  RealtimeHub,
  attachAuthEventsChannel,
  createAuthEventsAudience,
  createTokenLifecycle,
  createTokenLinks,
} from './realtime';
import { SecurityRepository, bootstrapSecurity } from './security/accounts';
import { Credentials } from './security/credentials';
import { LoginThrottle } from './security/login-throttle';
import { ANONYMOUS_KUID } from './security/model';
import { createPluginUser } from './security/plugin-user-creation';
import type { SecurityServices } from './security/security-services';
import { UserCreationJournal } from './security/user-creation-journal';
import { StrategyRegistry } from './security/strategies';
import { RequestRateLimiter } from './security/request-rate-limiter';
import { createTokenAuthorizer } from './security/token-authorizer';
import { TokenManager } from './security/tokens';
import { createStorageNamespace, type StoreAdapter } from '@tessera/store';
import { createHttpTransport, type HttpTransport } from './transports/http-transport';
import { attachWebSocketTransport, type WebSocketTransport } from './transports/websocket-transport';
import type { KernelExtension } from './kernel-extension';
import { attachAccessLog } from './logging/access-log';

export interface KernelOptions {
  readonly config: TesseraConfig;
  readonly adapter: StoreAdapter;
  /** How this node hears the others (and its id); `createLocalBus()` for one node. */
  readonly clusterBus: ClusterBus;
  /** Where auth tokens are recorded: the kernel's namespace of `adapter` for one node, Redis for a cluster. */
  readonly tokenStore: TokenStore;
  /** What the login throttle, the lockout and the request budgets count in: memory, or Redis for a cluster. */
  readonly limiters: LimiterStore;
  readonly log: Logger;
  /** Plugins to load, in order, after the folders listed in `plugins.paths`. */
  readonly plugins?: readonly PluginSource[];
  /** Foreign plugin formats the folders of `plugins.paths` may be in (the Kuzzle compatibility layer's). */
  readonly pluginFormats?: readonly PluginFormat[];
  /** Epoch ms: the clock tokens are issued and checked against. `Date.now` unless a test moves it. */
  readonly now?: () => number;
  /**
   * Services the node depends on besides its store (Redis, once clustered): `server:info` and
   * `server:healthCheck` report them with the store.
   */
  readonly services?: readonly ServiceProbe[];
  /** Parts built outside the kernel (the audit trail...), started after the accounts, in order. */
  readonly extensions?: readonly KernelExtension[];
}

export interface Kernel {
  readonly version: string;
  readonly nodeId: string;
  readonly bus: EventBus;
  readonly registry: ActionRegistry;
  /** The node's activity now, in the shape of Kuzzle's `server:metrics` (which answers it). */
  metrics(): NodeMetrics;
  /** The errors the running plugins declared (`plugin.<name>.<error>`), one subdomain each. */
  pluginErrors(): RegisteredPluginErrors[];
  /** Opens the store, sets security and the plugins up and listens. Resolves with the bound port. */
  start(): Promise<{ port: number }>;
  /** Stops accepting, finishes in-flight requests (bounded), closes sockets, plugins and the store. */
  stop(reason?: string): Promise<void>;
}

export const KERNEL_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** The ClusterBus topic of client publications (`realtime:publish`), for the other nodes' subscribers. */
const PUBLICATIONS = 'realtime:publications';

/** How often expired token records are swept from the store. */
const PURGE_INTERVAL = 10 * 60_000;

export function createKernel(options: KernelOptions): Kernel {
  const { config, adapter, clusterBus, tokenStore, limiters, log, plugins = [], now } = options;
  const otherServices = options.services ?? [];
  const { nodeId } = clusterBus;
  const bus = createEventBus(log);
  // Every node's auth events (this one's, and the others' relayed over the ClusterBus): what the %auth channel
  // and the sockets holding a revoked token hear. Plugins stay on `bus`, which carries this node's only.
  const clusterEvents = createEventBus(log);
  const stopRelay = relayEvents({
    clusterBus,
    local: bus,
    events: AUTH_EVENTS,
    deliver: (event, payload) => clusterEvents.emit(event, payload),
    log,
  });
  const registry = new ActionRegistry();
  registry.reserve(KUZZLE_UNSERVED_ROUTES);
  refuseDataApi(registry);
  const strategies = new StrategyRegistry();
  const kernelStorage = createStorageNamespace(adapter, KERNEL_NAMESPACE);
  const tokens = new TokenManager({
    namespace: kernelStorage,
    store: tokenStore,
    config: config.security.jwt,
    apiKeyMaxTTL: config.security.apiKey.maxTTL,
    bus,
    log,
    now,
  });
  // The transports exist once the kernel listens; realtime pushes through the WebSocket one from then on.
  let http: HttpTransport | null = null;
  let websocket: WebSocketTransport | null = null;
  const connections: ClientConnections = {
    send: (connectionId, frame) => websocket?.send(connectionId, frame) ?? false,
    sendRaw: (connectionIds, json) => websocket?.sendRaw(connectionIds, json),
    has: (connectionId) => websocket?.has(connectionId) ?? false,
  };
  const hub = new RealtimeHub({
    connections,
    bus,
    log,
    nodeId,
    maxConditions: config.limits.subscriptionConditionsCount,
    onPublish: (notification) => {
      clusterBus
        .broadcast(PUBLICATIONS, notification as unknown as JsonValue)
        .catch((error: unknown) => log.warn('publication not relayed to the other nodes', { error }));
    },
  });
  const stopPublications = clusterBus.subscribe(PUBLICATIONS, (data) =>
    hub.deliverFrom(data as unknown as DocumentNotification),
  );
  const tokenLinks = createTokenLinks();
  const tokenLifecycle = createTokenLifecycle({
    links: tokenLinks,
    connections,
    bus,
    revocations: clusterEvents,
    log,
    nodeId,
    expiryWarning: config.security.jwt.expiryWarning,
    dropSubscriptions: (connectionId) => void hub.dropConnection(connectionId),
  });
  // A right roles grant like an action's, though nobody calls it: hearing every user's auth events on %auth.
  registry.declareRight(AUTH_EVENTS_RIGHT.controller, AUTH_EVENTS_RIGHT.action);
  // %auth opens with the accounts, in start(): who hears what there is judged on their rights.
  let detachAuthEvents: Unsubscribe = () => {};
  // Accounts open with the store, in start(); the transports only listen after that.
  let services: SecurityServices | null = null;
  let tokenAuthorizer: RequestAuthorizer | null = null;
  const securityServices = (): SecurityServices => {
    if (!services) throw new Error('security services used before the kernel started');
    return services;
  };
  const authorizer: RequestAuthorizer = {
    async authorize(request) {
      if (!tokenAuthorizer) throw new Error('a request reached the funnel before the kernel started');
      if (options.extensions?.some((extension) => extension.admits?.(request) === true)) {
        request.user = { _id: ANONYMOUS_KUID, profileIds: ['anonymous'] };
        return;
      }
      try {
        await tokenAuthorizer.authorize(request);
      } finally {
        // Kuzzle links a verified token to its realtime connection even when the rights then refuse the call.
        if (request.connection.protocol === 'websocket')
          tokenLifecycle.link(request.connection.id, request.token);
      }
    },
  };
  const funnel = new Funnel({ registry, bus, log, authorizer, limits: config.limits });
  const detachAccessLog = config.log.accessLog
    ? attachAccessLog(bus, log.child({ log: 'access' }))
    : () => {};
  const pluginManager = createPluginManager({
    adapter,
    bus,
    log,
    pluginConfig: config.plugins,
    kernelVersion: KERNEL_VERSION,
    setupTimeout: config.plugins.setupTimeout,
    runTimeout: config.plugins.runTimeout,
    strategies,
    registry,
    identity: (kuid) => describeIdentity(securityServices().accounts, kuid),
    profiles: (profileIds) => describeProfiles(securityServices().accounts, profileIds),
    // On behalf of a request the kernel is serving, with that request's connection and token: the caller's
    // rights apply, so a plugin gets nothing through it that its caller could not do.
    execute: async (plugin, envelope, caller) => {
      if (!(caller instanceof Request)) throw tesseraError('plugin.assert.invalid_caller', plugin);
      const { jwt: _ignored, ...rest } = envelope;
      const request = await funnel.executeWithin(
        caller.input.jwt === null ? rest : { ...rest, jwt: caller.input.jwt },
        caller.connection,
      );
      return { status: request.status, result: request.result, error: request.error };
    },
    formats: options.pluginFormats,
    createUser: (plugin, user) => createPluginUser(securityServices(), strategies, plugin, user),
    credentialsCreated: (kuid, strategy, author) => {
      bus.emit('credentials:created', { kuid, strategy, author });
      return Promise.resolve();
    },
    credentialsChanged: async (kuid, strategy, author, secretChanged) => {
      await bus.pipeline('credentials:updated', { kuid, strategy, author, secretChanged });
    },
  });
  const serviceProbes = [storeProbe(adapter), ...otherServices];
  const nodeMetrics = trackNodeMetrics({
    api: () => funnel.metrics(),
    realtime: () => hub.metrics(),
    connections: () => ({
      http: http?.runningRequests ?? 0,
      websocket: websocket?.connectionCount ?? 0,
    }),
  });
  registry.register(
    'server',
    serverController({
      registry,
      version: KERNEL_VERSION,
      nodeId,
      config,
      services: serviceProbes,
      plugins: () => pluginManager.describe(),
      metrics: () => nodeMetrics.snapshot(),
    }),
  );

  let server: Server | null = null;
  let purge: NodeJS.Timeout | null = null;
  /** What stops each started extension, last started first. */
  let extensionStops: Array<() => Promise<void>> = [];
  const startExtensions = async (): Promise<void> => {
    const context = {
      bus,
      registry,
      storage: kernelStorage,
      log,
      now: now ?? Date.now,
      nodeMetrics: () => nodeMetrics.snapshot(),
    };
    for (const extension of options.extensions ?? []) {
      extensionStops.unshift(
        await extension.start({ ...context, log: log.child({ extension: extension.name }) }),
      );
    }
  };
  const stopExtensions = async (): Promise<void> => {
    const stops = extensionStops;
    extensionStops = [];
    for (const stop of stops) {
      await stop().catch((error: unknown) => log.warn('an extension failed to stop', { error }));
    }
  };
  let running = false;

  const openSecurity = async (): Promise<void> => {
    const accounts = await SecurityRepository.open({
      storage: kernelStorage,
      registry,
      log,
      clusterBus,
      bus,
    });
    await tokens.init();
    await bootstrapSecurity(accounts);
    detachAuthEvents = attachAuthEventsChannel(
      hub,
      clusterEvents,
      createAuthEventsAudience({
        kuidOf: (connectionId) => tokenLinks.tokenOf(connectionId)?.kuid ?? ANONYMOUS_KUID,
        accounts,
      }),
    );
    services = {
      accounts,
      tokens,
      strategies,
      credentials: new Credentials({ strategies, bus }),
      creations: await UserCreationJournal.open(kernelStorage),
      throttle: new LoginThrottle(config.security.login, limiters),
      tokenLinks: tokenLifecycle,
      registry,
      bus,
      log,
      config: config.security,
    };
    tokenAuthorizer = createTokenAuthorizer(tokens, accounts, new RequestRateLimiter(limiters), {
      enabled: config.security.cookieAuthentication,
      allowOrigins: config.server.cors.allowOrigin,
    });
    if (config.security.revokeTokensOnCredentialsChange) {
      // Whoever changed a secret (the kernel, or a strategy's own reset flow), the old tokens go. A change that
      // is no secret (the same username saved again) leaves them; one that does not say counts as a secret.
      bus.pipe('credentials:updated', async (change) => {
        if (change.secretChanged === false) return change;
        await tokens.revokeAll(change.kuid, 'password-changed', {
          exceptSessionId: change.keepSessionId,
          author: change.author,
        });
        return change;
      });
    }
    registry.register('auth', authController(services));
    registry.register('security', securityController(services));
    registry.register('realtime', realtimeController({ hub, accounts }));
    registry.register('index', indexController());
    registry.register('collection', collectionController({ hub, accounts }));
    registry.extend('server', { adminExists: adminExistsAction(services) });
  };

  const listen = async (): Promise<Server> => {
    const trustProxy = proxyaddr.compile([...config.server.trustedProxies]);
    http = createHttpTransport({
      funnel,
      registry,
      bus,
      log,
      nodeId,
      maxRequestSize: config.server.maxRequestSize,
      trustProxy,
      acceptTokenInQuery: config.server.http.acceptTokenInQuery,
      allowOrigins: config.server.cors.allowOrigin,
      allowCredentials: config.security.cookieAuthentication,
      isReady: () => running && funnel.ready,
      checkHealth: () => checkHealth(serviceProbes),
    });
    const httpServer = createServer(http.listener);
    websocket = attachWebSocketTransport(httpServer, {
      funnel,
      bus,
      log,
      nodeId,
      maxPayload: config.server.websocket.maxPayload,
      trustProxy,
      idleTimeout: config.server.websocket.idleTimeout,
      heartbeat: config.server.websocket.heartbeat,
      maxBufferedBytes: config.server.websocket.maxBufferedBytes,
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.server.port, config.server.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    return httpServer;
  };

  return {
    version: KERNEL_VERSION,
    nodeId,
    bus,
    registry,
    metrics: () => nodeMetrics.snapshot(),
    pluginErrors: () => pluginManager.errors(),

    async start() {
      await adapter.open();
      try {
        await openSecurity();
        await startExtensions();
        await pluginManager.load([...config.plugins.paths.map((dir) => ({ dir })), ...plugins]);
        // Once every strategy is registered (they delete their own credentials), before any request.
        await undoInterruptedCreations(securityServices());
        server = await listen();
      } catch (error) {
        await pluginManager.teardown();
        await stopExtensions();
        await adapter.close();
        throw error;
      }
      running = true;
      purge = setInterval(() => {
        tokens.purgeExpired().catch((error: unknown) => log.warn('expired token purge failed', { error }));
      }, PURGE_INTERVAL);
      purge.unref();
      const { port } = server.address() as AddressInfo;
      log.info(pluginsLine(pluginManager.describe()), {
        plugins: Object.entries(pluginManager.describe()).map(([name, { version, strategies }]) => ({
          name,
          version,
          strategies,
        })),
      });
      log.info('tessera is ready', { port, nodeId, version: KERNEL_VERSION, storage: adapter.engine });
      bus.emit('kernel:ready', { port });
      return { port };
    },

    async stop(reason = 'stop requested') {
      if (!running) return;
      running = false;
      log.info('tessera is shutting down', { reason });
      bus.emit('kernel:shutdown', { reason });
      if (purge) clearInterval(purge);
      await funnel.drain(config.server.shutdownTimeout);
      tokenLifecycle.stop();
      stopRelay();
      stopPublications();
      detachAuthEvents();
      await hub.close();
      await websocket?.close();
      await closeHttpServer(server, config.server.shutdownTimeout);
      detachAccessLog();
      await pluginManager.teardown();
      await stopExtensions();
      await adapter.close();
    },
  };
}

/** One boot line an operator reads: each plugin with its version and the strategies it registered. */
function pluginsLine(plugins: Record<string, { version: string; strategies: string[] }>): string {
  const entries = Object.entries(plugins).map(
    ([name, { version, strategies }]) =>
      `${name}@${version} (strategies: ${strategies.length > 0 ? strategies.join(', ') : 'none'})`,
  );
  return `plugins loaded: ${entries.length > 0 ? entries.join('; ') : 'none'}`;
}

/** Undoes the user creations a crash (of this node or another) left half-made. */
async function undoInterruptedCreations(services: SecurityServices): Promise<void> {
  const { credentials, accounts, log } = services;
  const undone = await services.creations.recover(
    {
      credentialsExist: (request, strategy, kuid) => credentials.exists(request, strategy, kuid),
      deleteCredentials: (request, strategy, kuid) => credentials.delete(request, strategy, kuid),
      deleteUser: (kuid) => accounts.users.delete(kuid),
    },
    log,
  );
  if (undone.length > 0) log.warn('undid user creations a crash had interrupted', { kuids: undone });
}

/** What a plugin may know of a user: ids of their profiles and of the roles those profiles hold. */
async function describeIdentity(accounts: SecurityRepository, kuid: string): Promise<IdentitySummary | null> {
  const user = await accounts.users.find(kuid);
  if (!user) return null;
  const { profileIds } = user._source;
  const { roles } = await accounts.rightsSource(profileIds);
  return { kuid: user._id, profileIds: [...profileIds], roleIds: [...roles.keys()] };
}

async function describeProfiles(
  accounts: SecurityRepository,
  profileIds: readonly string[],
): Promise<ProfileSummary[]> {
  const profiles = await accounts.profiles.mGet(profileIds);
  return profiles.map(({ _id, _source }) => ({
    profileId: _id,
    roleIds: [...new Set(_source.policies.map((policy) => policy.roleId))],
  }));
}

/** Lets idle keep-alive sockets go at once and gives busy ones until `timeoutMs` to finish their answer. */
async function closeHttpServer(server: Server | null, timeoutMs: number): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
