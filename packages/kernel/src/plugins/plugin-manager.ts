/**
 * The plugin manager owns the plugins' lifecycle. It validates every manifest before loading any plugin code,
 * then loads and sets up each plugin in order, each setup under a timeout, and tears them down in reverse order.
 * Each plugin gets its context from `createPluginContext` (plugin-context.ts).
 */
import {
  TesseraError,
  tesseraError,
  type PluginDefinition,
  type PluginFormat,
  type PluginManifest,
} from '@tessera/plugin-sdk';
import { messageOf } from '../internal/message-of';
import { within } from '../internal/within';
import { createPluginContext, type PluginContextDeps } from './plugin-context';
import { locateManifest, readManifestJson, validateManifest } from './read-manifest';
import { resolvePluginConfig } from './plugin-config';
import { createPluginErrorRegistry, type RegisteredPluginErrors } from './plugin-error-registry';

/** A plugin folder, or a plugin already in memory (built-in plugins, tests): its manifest is checked all the same. */
export type PluginSource =
  { readonly dir: string } | { readonly manifest: PluginManifest; readonly definition: PluginDefinition };

export interface PluginManagerDeps extends PluginContextDeps {
  /** The `plugins` section of the config: `plugins.<name>` is the config of the plugin <name>. */
  readonly pluginConfig: Readonly<Record<string, unknown>>;
  readonly kernelVersion: string;
  /** Milliseconds a plugin's setup may take. */
  readonly setupTimeout: number;
  /** Milliseconds, monotonic: what a plugin's setup time is measured with. `performance.now` unless a test says. */
  readonly clock?: () => number;
  /**
   * Foreign plugin formats (Kuzzle's): a folder whose manifest one of them recognises is translated by it into
   * a Tessera plugin, whose manifest is then checked as any other.
   */
  readonly formats?: readonly PluginFormat[];
}

export interface PluginManager {
  /**
   * Validates every manifest, then loads and sets up the plugins in order. On the first failure, tears down
   * the plugins this call had set up and rejects.
   */
  load(sources: readonly PluginSource[]): Promise<void>;
  /** Tears down every plugin in the reverse order of setup. Never rejects: a failing teardown is logged. */
  teardown(): Promise<void>;
  list(): { name: string; version: string }[];
  /** What each running plugin brought, by name, in the shape of Kuzzle's `server:info` `plugins`. */
  describe(): Record<string, PluginDescription>;
  /** The errors the running plugins declared, one subdomain each. */
  errors(): RegisteredPluginErrors[];
}

export interface PluginDescription {
  version: string;
  manifest: { name: string; version: string; kernel: string };
  /** `<plugin>/<controller>` */
  controllers: string[];
  /** Event names of the hooks and pipes it registered. */
  hooks: string[];
  pipes: string[];
  routes: { verb: string; path: string; controller: string; action: string }[];
  strategies: string[];
}

interface Candidate {
  readonly manifest: Omit<PluginManifest, 'main'>;
  /** Loads the plugin's code and returns what its module exports. */
  readonly load: () => unknown;
}

interface RunningPlugin {
  readonly name: string;
  readonly version: string;
  readonly kernel: string;
  readonly definition: PluginDefinition;
  readonly controllers: readonly string[];
  /** The events of the hooks and pipes it has registered now. */
  readonly events: () => { hooks: string[]; pipes: string[] };
  /** Unsubscribes every hook and pipe the plugin registered. */
  readonly release: () => void;
}

export function createPluginManager(deps: PluginManagerDeps): PluginManager {
  const { log, kernelVersion, setupTimeout } = deps;
  const clock = deps.clock ?? (() => performance.now());
  let running: RunningPlugin[] = [];
  const pluginErrors = createPluginErrorRegistry();

  const inspect = async (source: PluginSource): Promise<Candidate> => {
    if ('dir' in source) {
      const json = await readManifestJson(source.dir);
      const { raw, folder } = json;
      const format = isRecord(raw) ? deps.formats?.find((candidate) => candidate.recognises(raw)) : undefined;
      if (format && isRecord(raw)) {
        const name = typeof raw.name === 'string' ? raw.name : '';
        const config = deps.pluginConfig[name];
        const translated = await format.translate({
          dir: folder,
          manifest: raw,
          config: isRecord(config) ? config : {},
        });
        return {
          manifest: validateManifest(translated.manifest, kernelVersion, folder),
          load: () => translated.load(),
        };
      }
      const manifest = await locateManifest(json, kernelVersion);
      return { manifest, load: () => requirePlugin(manifest.mainPath) };
    }
    const { manifest, definition } = source;
    return {
      manifest: validateManifest(manifest, kernelVersion, String(manifest.name)),
      load: () => definition,
    };
  };

  const start = async ({ manifest: { name, version, kernel }, load }: Candidate): Promise<RunningPlugin> => {
    const definition = definitionOf(load(), name);
    // Checked before anything of the plugin is registered: a wrong setting leaves nothing to undo.
    const config = await resolvePluginConfig(name, definition.configSchema, deps.pluginConfig[name]);
    pluginErrors.register(name, definition.errors);
    const scope = createPluginContext(name, deps, config);
    const { ctx, controllers, events } = scope;
    const release = () => {
      scope.release();
      pluginErrors.release(name);
    };
    const setupStarted = clock();
    const setup = new Promise<void>((resolve) => resolve(definition.setup(ctx)));
    const failure = await within(
      setup.then(() => true),
      setupTimeout,
      false,
    ).then(
      (settled) => (settled ? undefined : tesseraError('plugin.runtime.init_timeout', name, setupTimeout)),
      (error: unknown) =>
        new TesseraError('plugin.runtime.failed_init', [name, messageOf(error)], { cause: error }),
    );
    if (failure) {
      release();
      throw failure;
    }
    deps.bus.emit('plugin:ready', { plugin: name, version, setupMs: clock() - setupStarted });
    return { name, version, kernel, definition, controllers, events, release };
  };

  const stop = async (plugins: readonly RunningPlugin[]): Promise<void> => {
    for (const plugin of [...plugins].reverse()) {
      try {
        await plugin.definition.teardown?.();
      } catch (error) {
        log.error('plugin teardown failed', { plugin: plugin.name, error });
      } finally {
        plugin.release();
      }
    }
  };

  return {
    async load(sources) {
      const candidates: Candidate[] = [];
      for (const source of sources) candidates.push(await inspect(source));
      const names = new Set(running.map((plugin) => plugin.name));
      for (const { manifest } of candidates) {
        if (names.has(manifest.name)) throw tesseraError('plugin.assert.name_already_exists', manifest.name);
        names.add(manifest.name);
      }
      const started: RunningPlugin[] = [];
      const ordered = dependencyOrder(
        candidates,
        running.map((plugin) => plugin.name),
      );
      try {
        for (const candidate of ordered) started.push(await start(candidate));
      } catch (error) {
        await stop(started);
        throw error;
      }
      running.push(...started);
    },

    async teardown() {
      const plugins = running;
      running = [];
      await stop(plugins);
    },

    errors() {
      return pluginErrors.list();
    },

    list() {
      return running.map(({ name, version }) => ({ name, version }));
    },

    describe() {
      const routes = deps.registry.routes().filter((route) => route.kind !== 'reserved');
      const strategies = deps.strategies.all();
      return Object.fromEntries(
        running.map((plugin) => {
          const { name, version, kernel, controllers } = plugin;
          const description: PluginDescription = {
            version,
            manifest: { name, version, kernel },
            controllers: [...controllers],
            ...plugin.events(),
            routes: routes
              .filter((route) => controllers.includes(route.controller))
              .map(({ verb, path, controller, action }) => ({ verb, path, controller, action })),
            strategies: strategies
              .filter((strategy) => strategy.owner === name)
              .map((strategy) => strategy.name),
          };
          return [name, description];
        }),
      );
    },
  };
}

/**
 * The candidates in an order where each comes after the plugins it depends on (otherwise in the given order).
 * A dependency neither among them nor already running, or a cycle, stops the boot naming the plugin.
 */
function dependencyOrder(candidates: readonly Candidate[], runningNames: readonly string[]): Candidate[] {
  const byName = new Map(candidates.map((candidate) => [candidate.manifest.name, candidate]));
  const ordered: Candidate[] = [];
  const done = new Set(runningNames);
  const visiting = new Set<string>();
  const visit = (candidate: Candidate): void => {
    const { name, dependsOn = [] } = candidate.manifest;
    if (done.has(name)) return;
    if (visiting.has(name)) {
      throw tesseraError('plugin.manifest.invalid_field', name, 'dependsOn', 'its dependencies form a cycle');
    }
    visiting.add(name);
    for (const dependency of dependsOn) {
      const other = byName.get(dependency);
      if (other) visit(other);
      else if (!done.has(dependency))
        throw tesseraError('plugin.manifest.missing_dependency', name, dependency);
    }
    visiting.delete(name);
    done.add(name);
    ordered.push(candidate);
  };
  for (const candidate of candidates) visit(candidate);
  return ordered;
}

function requirePlugin(mainPath: string): unknown {
  try {
    // Plugins are CommonJS modules at paths known only at run time; `require` is the loader for that.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(mainPath) as unknown;
  } catch (error) {
    throw new TesseraError('plugin.assert.cannot_load', [mainPath, messageOf(error)], { cause: error });
  }
}

/** The definition is the module's default export, the module itself, or its `plugin` export. */
function definitionOf(exported: unknown, name: string): PluginDefinition {
  const definition = [propertyOf(exported, 'default'), exported, propertyOf(exported, 'plugin')].find(
    isDefinition,
  );
  if (!definition) {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      name,
      'expected the module (or its "default" or "plugin" export) to be an object with a setup function',
    );
  }
  return definition;
}

function isDefinition(value: unknown): value is PluginDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const { setup, teardown } = value as Partial<Record<keyof PluginDefinition, unknown>>;
  return typeof setup === 'function' && (teardown === undefined || typeof teardown === 'function');
}

function propertyOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
