/** The plugin system: manifest validation and the plugin manager. */
export { readManifest, type LocatedManifest } from './read-manifest';
export {
  createPluginManager,
  type PluginManager,
  type PluginDescription,
  type PluginManagerDeps,
  type PluginSource,
} from './plugin-manager';
export {
  createPluginErrorRegistry,
  type PluginErrorRegistry,
  type RegisteredPluginErrors,
} from './plugin-error-registry';
export { resolvePluginConfig, copyPluginConfig } from './plugin-config';
export { createPluginContext, type PluginContextDeps, type PluginScope } from './plugin-context';
