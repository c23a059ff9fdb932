/**
 * The services a node depends on, as `server:info` and `server:healthCheck` report them: the store always, and
 * whatever the composition root adds through `KernelOptions.services` (Redis, once the node is clustered).
 */
import type { StoreAdapter } from '@tessera/store';
import { within } from '../../internal/within';

export interface ServiceProbe {
  /** The key both actions report it under; Kuzzle's names: `storageEngine` (the store), `internalCache` (Redis). */
  readonly name: string;
  /** The engine: `sqlite`, `postgres`, `redis`... */
  readonly type: string;
  /** True when the service answers. */
  ping(): Promise<boolean>;
}

export type ServiceHealth = 'green' | 'red';

/** What `server:healthCheck` and the monitoring route `GET /_healthcheck` answer: red when a service is. */
export interface HealthReport {
  readonly status: ServiceHealth;
  readonly services: Readonly<Record<string, ServiceHealth>>;
}

/** A service that has not answered within this delay is red: a health check must answer even then. */
const PING_TIMEOUT = 5000;

export function storeProbe(adapter: StoreAdapter): ServiceProbe {
  return { name: 'storageEngine', type: adapter.engine, ping: () => adapter.ping() };
}

/** Each probe's health by name (green when it answered true in time), and red overall when one is red. */
export async function checkHealth(
  probes: readonly ServiceProbe[],
  timeoutMs = PING_TIMEOUT,
): Promise<HealthReport> {
  const healths = await Promise.all(probes.map((probe) => healthOf(probe, timeoutMs)));
  return {
    status: healths.includes('red') ? 'red' : 'green',
    services: Object.fromEntries(probes.map((probe, i) => [probe.name, healths[i]!])),
  };
}

async function healthOf(probe: ServiceProbe, timeoutMs: number): Promise<ServiceHealth> {
  const answered = await within(
    probe.ping().catch(() => false),
    timeoutMs,
    false,
  );
  return answered ? 'green' : 'red';
}
