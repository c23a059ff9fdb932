/**
 * The composition root: configuration, logger, store and kernel, built once, in this order.
 */
import {
  createKernel,
  createLogger,
  describeConfigSource,
  loadConfigWithSources,
  type DeepPartial,
  type Kernel,
  type TesseraConfig,
} from '@tessera/kernel';
import { createAuditTrail } from '@tessera/audit';
import { createMetrics } from '@tessera/metrics';
import type { Logger } from '@tessera/plugin-sdk';
import type { PluginSource } from '@tessera/kernel';
import { builtInPlugins } from './built-in-plugins';
import { pluginFormats } from './plugin-formats';
import { createNodePorts } from './create-node-ports';
import { createStore } from './create-store';

export interface StartServerOptions {
  /** Applied over the defaults, the rc file and the environment. */
  readonly overrides?: DeepPartial<TesseraConfig>;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly log?: Logger;
  readonly plugins?: readonly PluginSource[];
}

export interface RunningServer {
  readonly kernel: Kernel;
  readonly config: TesseraConfig;
  readonly port: number;
  readonly log: Logger;
  stop(reason?: string): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const { config, sources, warnings } = loadConfigWithSources({
    cwd: options.cwd,
    env: options.env,
    overrides: options.overrides,
  });
  // Before anything opens: an unknown name in plugins.builtIn is a configuration error.
  const builtIn = builtInPlugins(config.plugins.builtIn);
  const log = options.log ?? createLogger({ level: config.log.level, format: config.log.format });
  // Which configuration this is, before anything else: the first question when a setting seems ignored.
  for (const source of sources) log.info(`configuration: ${describeConfigSource(source)}`);
  for (const warning of warnings) log.warn(`configuration: ${warning}`);
  const metrics = createMetrics(config.metrics);
  const adapter = metrics.measureStore(await createStore(config.storage));
  const { services, connect, close, ...ports } = await createNodePorts(config, adapter, log);
  // Before the kernel opens anything: a cluster node without its shared state refuses to start.
  await connect();
  const kernel = createKernel({
    config,
    adapter,
    ...ports,
    services,
    log,
    plugins: [...builtIn, ...(options.plugins ?? [])],
    pluginFormats: pluginFormats(),
    extensions: [createAuditTrail(config.audit), metrics],
  });
  let port: number;
  try {
    ({ port } = await kernel.start());
  } catch (error) {
    await close();
    throw error;
  }
  return {
    kernel,
    config,
    port,
    log,
    async stop(reason) {
      await kernel.stop(reason);
      await close();
    },
  };
}
