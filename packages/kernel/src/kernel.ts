/**
 * The kernel: wires the bus, the action registry, the funnel, the controllers, the plugins and both
 * transports around one Store adapter, and owns their start and graceful stop. Everything is built here from
 * explicit parameters; nothing is global.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EventBus, Logger } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import { ActionRegistry } from './api/action-registry';
import { Funnel, type RequestAuthorizer } from './api/funnel';
import type { TesseraConfig } from './config';
import { serverController } from './controllers/server-controller';
import { createEventBus } from './events/event-bus';
import { createPluginManager, type PluginSource } from './plugins';
import { StrategyRegistry } from './security/strategies';
import type { StoreAdapter } from './storage/store-adapter';
import { createHttpApp } from './transports/http-transport';
import { attachWebSocketTransport, type WebSocketTransport } from './transports/websocket-transport';

export interface KernelOptions {
  readonly config: TesseraConfig;
  readonly adapter: StoreAdapter;
  readonly log: Logger;
  /** Plugins to load, in order, besides the folders listed in `plugins.paths`. */
  readonly plugins?: readonly PluginSource[];
}

export interface Kernel {
  readonly version: string;
  readonly nodeId: string;
  readonly bus: EventBus;
  readonly registry: ActionRegistry;
  /** Opens the store, sets the plugins up and listens. Resolves with the bound port. */
  start(): Promise<{ port: number }>;
  /** Stops accepting, finishes in-flight requests (bounded), closes sockets, plugins and the store. */
  stop(reason?: string): Promise<void>;
}

export const KERNEL_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Until authentication is wired, every caller is the anonymous user and no token can be valid. */
const anonymousAuthorizer: RequestAuthorizer = {
  authorize(request) {
    if (request.input.jwt !== null) return Promise.reject(tesseraError('security.token.invalid'));
    request.user = { _id: '-1', profileIds: ['anonymous'] };
    return Promise.resolve();
  },
};

export function createKernel({ config, adapter, log, plugins = [] }: KernelOptions): Kernel {
  const nodeId = `tessera-${randomUUID().slice(0, 8)}`;
  const bus = createEventBus(log);
  const registry = new ActionRegistry();
  const strategies = new StrategyRegistry();
  const funnel = new Funnel({ registry, bus, log, authorizer: anonymousAuthorizer, limits: config.limits });
  const pluginManager = createPluginManager({
    adapter,
    bus,
    log,
    pluginConfig: config.plugins,
    kernelVersion: KERNEL_VERSION,
    setupTimeout: config.plugins.setupTimeout,
    strategies,
    registry,
    identity: () => Promise.resolve(null),
  });
  registry.register('server', serverController({ registry, adapter, version: KERNEL_VERSION, nodeId }));

  let server: Server | null = null;
  let websocket: WebSocketTransport | null = null;
  let running = false;

  const listen = async (): Promise<Server> => {
    const app = createHttpApp({
      funnel,
      registry,
      bus,
      nodeId,
      maxRequestSize: config.server.maxRequestSize,
      allowOrigins: config.server.cors.allowOrigin,
      isReady: () => running && funnel.ready,
    });
    const handle = app.callback();
    const httpServer = createServer((message, response) => void handle(message, response));
    websocket = attachWebSocketTransport(httpServer, {
      funnel,
      bus,
      log,
      nodeId,
      maxPayload: config.server.websocket.maxPayload,
      idleTimeout: config.server.websocket.idleTimeout,
      heartbeat: config.server.websocket.heartbeat,
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

    async start() {
      await adapter.open();
      try {
        await pluginManager.load([...config.plugins.paths.map((dir) => ({ dir })), ...plugins]);
        server = await listen();
      } catch (error) {
        await pluginManager.teardown();
        await adapter.close();
        throw error;
      }
      running = true;
      const { port } = server.address() as AddressInfo;
      log.info('tessera is ready', { port, nodeId, version: KERNEL_VERSION, storage: adapter.engine });
      bus.emit('kernel:ready', { port });
      return { port };
    },

    async stop(reason = 'stop requested') {
      if (!running) return;
      running = false;
      log.info('tessera is shutting down', { reason });
      bus.emit('kernel:shutdown', { reason });
      await funnel.drain(config.server.shutdownTimeout);
      await websocket?.close();
      await closeHttpServer(server, config.server.shutdownTimeout);
      await pluginManager.teardown();
      await adapter.close();
    },
  };
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
