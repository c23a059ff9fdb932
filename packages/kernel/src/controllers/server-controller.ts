/**
 * The `server` controller, in the shapes of Kuzzle's answers: clock, identity and health of the node, its
 * configuration (secrets masked), capabilities and metrics, and the API descriptions: `publicApi`, which
 * kuzzle-sdk's Http protocol builds its routes from, and `openapi`. `adminExists` lives with the security
 * services. Kuzzle's statistics frames (`getStats`, `getLastStats`, `getAllStats`) are not served.
 */
import { cpus, freemem, totalmem } from 'node:os';
import { tesseraError } from '@tessera/plugin-sdk';
import { arg } from '../api/args';
import { defineAction, type ActionDefinition, type ActionRegistry } from '../api/action-registry';
import type { TesseraConfig } from '../config';
import type { PluginDescription } from '../plugins';
import { maskedConfig } from './server/masked-config';
import type { NodeMetrics } from './server/node-metrics';
import { openApiDocument } from './server/openapi-document';
import { checkHealth, type ServiceProbe } from './server/service-probe';

export interface ServerControllerDeps {
  readonly registry: ActionRegistry;
  readonly version: string;
  readonly nodeId: string;
  readonly config: TesseraConfig;
  /** The services the node depends on: the store first. */
  readonly services: readonly ServiceProbe[];
  readonly plugins: () => Record<string, PluginDescription>;
  readonly metrics: () => NodeMetrics;
}

export function serverController({
  registry,
  version,
  nodeId,
  config,
  services,
  plugins,
  metrics,
}: ServerControllerDeps): Record<string, ActionDefinition> {
  return {
    now: defineAction({
      http: [{ verb: 'GET', path: '/_now' }],
      handler: () => ({ now: Date.now() }),
    }),

    info: defineAction({
      http: [
        { verb: 'GET', path: '/_serverInfo' },
        { verb: 'GET', path: '/' },
      ],
      handler: async () => {
        const { services: health } = await checkHealth(services);
        return {
          serverInfo: {
            kuzzle: {
              name: 'tessera',
              version,
              nodeId,
              api: { routes: registry.publicApi() },
              memoryUsed: process.memoryUsage().rss,
              nodeVersion: process.version,
              plugins: plugins(),
              system: { cpus: cpus(), memory: { free: freemem(), total: totalmem() } },
              uptime: `${process.uptime()}s`,
            },
            services: Object.fromEntries(
              services.map(({ name, type }) => [name, { type, status: health[name] }]),
            ),
          },
        };
      },
    }),

    healthCheck: defineAction({
      // Kuzzle's `services=a,b` checks only those.
      args: { services: arg.stringArray() },
      http: [{ verb: 'GET', path: '/_healthCheck' }],
      handler: async (request, args) => {
        const probes = args.services
          ? services.filter(({ name }) => args.services!.includes(name))
          : services;
        const health = await checkHealth(probes);
        if (health.status === 'red') request.status = 503;
        return health;
      },
    }),

    capabilities: defineAction({
      http: [{ verb: 'GET', path: '/_capabilities' }],
      handler: () => ({
        limits: config.limits,
        plugins: Object.fromEntries(
          Object.entries(plugins()).map(([name, plugin]) => [name, { version: plugin.version }]),
        ),
        routes: registry.publicApi(),
        services: Object.fromEntries(services.map(({ name, type }) => [name, { backend: type }])),
        version,
      }),
    }),

    getConfig: defineAction({
      http: [{ verb: 'GET', path: '/_getConfig' }],
      handler: () => ({ ...(maskedConfig(config) as object), version }),
    }),

    metrics: defineAction({
      http: [{ verb: 'GET', path: '/_metrics' }],
      handler: () => metrics(),
    }),

    publicApi: defineAction({
      http: [{ verb: 'GET', path: '/_publicApi' }],
      handler: () => registry.publicApi(),
    }),

    openapi: defineAction({
      args: { format: arg.string(), scope: arg.string() },
      http: [{ verb: 'GET', path: '/_openapi' }],
      handler: (request, { format = 'json', scope = 'kuzzle' }) => {
        if (format !== 'json') throw tesseraError('api.assert.invalid_argument', 'format', '"json"');
        if (scope !== 'kuzzle' && scope !== 'app') {
          throw tesseraError('api.assert.invalid_argument', 'scope', '"kuzzle" or "app"');
        }
        // As Kuzzle: over HTTP the answer is the document itself, which OpenAPI tools read as it is.
        request.raw = true;
        return openApiDocument(registry, { version, scope });
      },
    }),
  };
}
