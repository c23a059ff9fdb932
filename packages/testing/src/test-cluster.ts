/**
 * startTestCluster: several real kernels in this process, each listening on its own free port, sharing what
 * the nodes of a cluster share: one SQLite file (the database), one loopback network (the ClusterBus) and one
 * limiter store (what Redis would count in). It is a cluster in miniature, for the kernel's cluster behaviour
 * without Redis; the two-process tests on PostgreSQL and Redis check the same behaviour end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLoopbackNetwork, createMemoryLimiterStore, createOneNodePorts } from '@tessera/cluster';
import { createKernel, createSilentLogger, type Kernel } from '@tessera/kernel';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { testConfig, type TestKernel, type TestKernelOptions } from './test-kernel';

export interface TestClusterOptions extends Pick<TestKernelOptions, 'overrides' | 'plugins' | 'log' | 'now'> {
  /** How many nodes; 2 unless told. */
  readonly nodes?: number;
}

export interface TestCluster {
  /** The nodes, in the order they started; each `stop()` stops that node only (its data stays). */
  readonly nodes: readonly TestKernel[];
  /** Stops every node still running and deletes the shared data folder. */
  stop(): Promise<void>;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
  const network = createLoopbackNetwork();
  const limiters = createMemoryLimiterStore();
  const kernels: Kernel[] = [];
  const stopNode = async (kernel: Kernel) => {
    await kernel.stop('test finished');
  };
  try {
    const nodes: TestKernel[] = [];
    // One after the other: the first node creates the schema and the first security documents.
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      const config = testConfig(dataDir, options.overrides);
      const adapter = createSqliteStore({ path: config.storage.sqlite.path });
      const kernel = createKernel({
        config,
        adapter,
        ...createOneNodePorts(adapter, network.join()),
        limiters,
        log: options.log ?? createSilentLogger(),
        plugins: options.plugins,
        now: options.now,
      });
      const { port } = await kernel.start();
      kernels.push(kernel);
      nodes.push({
        kernel,
        config,
        port,
        url: `http://127.0.0.1:${port}`,
        dataDir,
        stop: () => stopNode(kernel),
      });
    }
    return {
      nodes,
      async stop() {
        await Promise.all(kernels.map(stopNode));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(kernels.map(stopNode));
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
