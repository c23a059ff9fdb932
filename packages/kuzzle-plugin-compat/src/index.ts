/**
 * Kuzzle 2.x plugins on Tessera, unmodified: `kuzzlePluginFormat()` is given to the kernel by the composition
 * root, and a folder of `plugins.paths` whose manifest is Kuzzle's then runs on a translation of Kuzzle's plugin
 * context onto its own Tessera context. What is served and what is refused: docs/plugins.md.
 */
export {
  kuzzlePluginFormat,
  KUZZLE_API_VERSION,
  type KuzzlePluginFormatOptions,
} from './kuzzle-plugin-format';
export { KuzzleError, kuzzleErrorClasses } from './kuzzle-errors';
