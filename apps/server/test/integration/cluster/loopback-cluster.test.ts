/**
 * The two-node behaviour on a cluster in miniature: two kernels in this process, one SQLite file, the
 * loopback ClusterBus and one limiter store. The same suite runs on two server processes with PostgreSQL and
 * Redis (redis-cluster.test.ts).
 */
import { builtInPlugins } from '@tessera/server';
import { startTestCluster } from '@tessera/testing';
import { describeTwoNodeCluster } from './cluster-behaviour';

describe('two nodes on the loopback network', () => {
  describeTwoNodeCluster(async (overrides) => {
    const cluster = await startTestCluster({ nodes: 2, plugins: builtInPlugins(), overrides });
    const [a, b] = cluster.nodes.map((node) => node.port);
    return { portA: a ?? 0, portB: b ?? 0, stop: () => cluster.stop() };
  });
});
