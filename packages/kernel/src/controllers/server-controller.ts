/**
 * The `server` controller: clock, identity, health and the public API description that kuzzle-sdk's Http
 * protocol builds its routes from.
 */
import type { StoreAdapter } from '@tessera/store';
import { defineAction, type ActionDefinition, type ActionRegistry } from '../api/action-registry';

export interface ServerControllerDeps {
  readonly registry: ActionRegistry;
  readonly adapter: StoreAdapter;
  readonly version: string;
  readonly nodeId: string;
}

export function serverController({
  registry,
  adapter,
  version,
  nodeId,
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
      handler: () => ({
        serverInfo: {
          kuzzle: { name: 'tessera', version, nodeId, api: { routes: registry.publicApi() } },
          services: { storageEngine: { type: adapter.engine } },
        },
      }),
    }),

    healthCheck: defineAction({
      http: [{ verb: 'GET', path: '/_healthCheck' }],
      handler: async (request) => {
        const health = await checkHealth(adapter);
        if (health.status === 'red') request.status = 503;
        return health;
      },
    }),

    publicApi: defineAction({
      http: [{ verb: 'GET', path: '/_publicApi' }],
      handler: () => registry.publicApi(),
    }),
  };
}

export type HealthStatus = 'green' | 'red';

export interface HealthReport {
  readonly status: HealthStatus;
  readonly services: { readonly storageEngine: HealthStatus };
}

/** What `server:healthCheck` and the monitoring route `GET /_healthcheck` answer: red when the store does not answer. */
export async function checkHealth(adapter: StoreAdapter): Promise<HealthReport> {
  const storage = (await adapter.ping().catch(() => false)) ? 'green' : 'red';
  return { status: storage, services: { storageEngine: storage } };
}
