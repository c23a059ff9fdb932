/**
 * The foreign plugin formats a server reads in `plugins.paths`: Kuzzle 2.x plugins, through the compatibility
 * layer (docs/plugins.md, "Kuzzle plugins").
 */
import type { PluginFormat } from '@tessera/plugin-sdk';
import { kuzzlePluginFormat } from '@tessera/kuzzle-plugin-compat';

export function pluginFormats(): PluginFormat[] {
  return [kuzzlePluginFormat()];
}
