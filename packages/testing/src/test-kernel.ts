/**
 * startTestKernel: a real kernel on a real SQLite file in a fresh temporary folder, listening on 127.0.0.1 on
 * a free port, quiet unless told otherwise: one node, with the one-node ports (tokens in the store, counters in
 * memory). Each test builds its own and stops it. The `tessera_storage__*` environment variables, and only
 * those, move it to another engine (a fresh PostgreSQL schema per kernel): `npm run test:integration:postgres`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKernel,
  createSilentLogger,
  loadConfig,
  type DeepPartial,
  type Kernel,
  type KernelExtension,
  type PluginSource,
  type StoreAdapter,
  type TesseraConfig,
} from '@tessera/kernel';
import { createOneNodePorts } from '@tessera/cluster';
import type { Logger, PluginFormat } from '@tessera/plugin-sdk';
import { createTestStore, storageEnvironment } from './internal/test-store';

export interface TestKernelOptions {
  readonly overrides?: DeepPartial<TesseraConfig>;
  readonly plugins?: readonly PluginSource[];
  /** Foreign plugin formats for the folders of `plugins.paths` (`pluginFormats()` of `@tessera/server`). */
  readonly pluginFormats?: readonly PluginFormat[];
  readonly log?: Logger;
  /** Wraps the store adapter before the kernel gets it (e.g. `recordStoreWrites`). */
  readonly wrapStore?: (adapter: StoreAdapter) => StoreAdapter;
  /** The clock tokens are issued and checked against (see `KernelOptions.now`). */
  readonly now?: () => number;
  /** Parts the composition root would add (the audit trail, the metrics); none unless given. */
  readonly extensions?: readonly KernelExtension[];
}

export interface TestKernel {
  readonly kernel: Kernel;
  readonly config: TesseraConfig;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  /** Stops the kernel and deletes its data folder. */
  stop(): Promise<void>;
}

export async function startTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const config = testConfig(dataDir, options.overrides, storageEnvironment());
  const store = createTestStore(config.storage);
  const adapter = options.wrapStore ? options.wrapStore(store.adapter) : store.adapter;
  const kernel = createKernel({
    config,
    adapter,
    ...createOneNodePorts(adapter),
    log: options.log ?? createSilentLogger(),
    plugins: options.plugins,
    pluginFormats: options.pluginFormats,
    now: options.now,
    extensions: options.extensions,
  });
  try {
    const { port } = await kernel.start();
    return {
      kernel,
      config,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir,
      async stop() {
        await kernel.stop('test finished');
        await store.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.dispose().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The config of a test kernel whose SQLite file is in `dataDir`, on 127.0.0.1 on a free port; `env` may move
 * its storage elsewhere (`storageEnvironment()`).
 */
export function testConfig(
  dataDir: string,
  overrides: DeepPartial<TesseraConfig> = {},
  env: NodeJS.ProcessEnv = {},
): TesseraConfig {
  return loadConfig({
    cwd: dataDir,
    env,
    overrides: mergeOverrides(
      { server: { port: 0, host: '127.0.0.1' }, storage: { sqlite: { path: join(dataDir, 'tessera.db') } } },
      overrides,
    ),
  });
}

/** Config overrides `extra` over `base`, objects merged key by key (arrays and other values replaced). */
export function mergeOverrides(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeOverrides(current, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
