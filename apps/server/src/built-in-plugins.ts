/**
 * The plugins every Tessera server loads, as Kuzzle always loads its local strategy. They are loaded from
 * their installed folders, manifest first, exactly like the plugins an operator lists in `plugins.paths`.
 */
import { dirname } from 'node:path';
import type { PluginSource } from '@tessera/kernel';

export function builtInPlugins(): PluginSource[] {
  return [{ dir: dirname(require.resolve('@tessera/plugin-auth-local/package.json')) }];
}
