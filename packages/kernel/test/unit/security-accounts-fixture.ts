/**
 * What the security-accounts tests share: a SecurityRepository on a real SQLite file in a temp folder, an
 * ActionRegistry with a few controllers, a settable clock, a logger that keeps its warnings, and a count of
 * the reads that reach the store (to show the cache works).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLoopbackNetwork, type ClusterBus } from '@tessera/cluster';
import {
  ActionRegistry,
  createEventBus,
  createStorageNamespace,
  defineAction,
  type StoreAdapter,
} from '@tessera/kernel';
import type { DocumentCollection, LogFields, Logger, StorageNamespace } from '@tessera/plugin-sdk';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { SecurityRepository } from '../../src/security/accounts';

export interface Fixture {
  repo: SecurityRepository;
  registry: ActionRegistry;
  clock: { now: number };
  warnings: { message: string; fields?: LogFields }[];
  /** get and mGet calls that reached the store, by collection. */
  reads: Map<string, number>;
  /**
   * Another repository (another node of the same cluster, in this process) on the same database file; with
   * `detached`, a node that hears no other (as if its cluster messages were lost); with `clusterBus`, a node of
   * the cluster that bus belongs to.
   */
  openNode(options?: { detached?: boolean; clusterBus?: ClusterBus }): Promise<SecurityRepository>;
  close(): Promise<void>;
}

const noop = defineAction({ handler: () => null });

function actions(...names: string[]) {
  return Object.fromEntries(names.map((name) => [name, noop]));
}

export function buildRegistry(): ActionRegistry {
  const registry = new ActionRegistry();
  registry.register('auth', actions('login', 'logout', 'checkToken', 'getMyRights', 'getCurrentUser'));
  registry.register('server', actions('now', 'publicApi'));
  registry.register('security', actions('createUser', 'getUser'));
  return registry;
}

export async function openFixture(): Promise<Fixture> {
  const folder = await mkdtemp(path.join(tmpdir(), 'tessera-security-'));
  const adapters: StoreAdapter[] = [];
  const registry = buildRegistry();
  const clock = { now: 1_700_000_000_000 };
  const warnings: Fixture['warnings'] = [];
  const reads = new Map<string, number>();
  const network = createLoopbackNetwork();
  const log: Logger = {
    debug() {},
    info() {},
    warn: (message, fields) => warnings.push({ message, fields }),
    error() {},
    child: () => log,
  };

  const openNode = async ({
    detached = false,
    clusterBus,
  }: { detached?: boolean; clusterBus?: ClusterBus } = {}): Promise<SecurityRepository> => {
    const adapter = createSqliteStore({ path: path.join(folder, 'kernel.db') });
    await adapter.open();
    adapters.push(adapter);
    const storage = countingReads(createStorageNamespace(adapter, 'kernel'), reads);
    return SecurityRepository.open({
      storage,
      registry,
      log,
      now: () => clock.now,
      clusterBus: clusterBus ?? (detached ? createLoopbackNetwork().join() : network.join()),
      bus: createEventBus(log),
    });
  };

  return {
    repo: await openNode(),
    registry,
    clock,
    warnings,
    reads,
    openNode,
    async close() {
      for (const adapter of adapters) await adapter.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** The namespace, counting the get and mGet calls each collection makes. */
function countingReads(storage: StorageNamespace, reads: Map<string, number>): StorageNamespace {
  const count = (name: string) => reads.set(name, (reads.get(name) ?? 0) + 1);
  return {
    name: storage.name,
    async collection<T extends object>(name: string) {
      const documents: DocumentCollection<T> = await storage.collection<T>(name);
      return {
        ...documents,
        name: documents.name,
        get(id) {
          count(name);
          return documents.get(id);
        },
        mGet(ids) {
          count(name);
          return documents.mGet(ids);
        },
      };
    },
  };
}
