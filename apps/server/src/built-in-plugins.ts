/**
 * The plugins shipped with the server, as Kuzzle ships its local strategy. `plugins.builtIn` names the ones to
 * load (`["auth-local"]` by default); an operator replaces one by another plugin of the same strategy with
 * `plugins.builtIn: []` and that plugin's folder in `plugins.paths`. They are loaded from their installed
 * folders, manifest first, exactly like the plugins an operator lists in `plugins.paths`.
 */
import { dirname } from 'node:path';
import { tesseraError } from '@tessera/plugin-sdk';
import type { PluginSource } from '@tessera/kernel';

const BUILT_IN: Readonly<Record<string, () => string>> = {
  'auth-local': () => dirname(require.resolve('@tessera/plugin-auth-local/package.json')),
};

export const DEFAULT_BUILT_IN_PLUGINS: readonly string[] = ['auth-local'];

export function builtInPlugins(names: readonly string[] = DEFAULT_BUILT_IN_PLUGINS): PluginSource[] {
  return names.map((name) => {
    const locate = Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name] : undefined;
    if (!locate) {
      const known = Object.keys(BUILT_IN)
        .map((known) => JSON.stringify(known))
        .join(', ');
      throw tesseraError(
        'core.config.invalid_value',
        'plugins.builtIn',
        `expected built-in plugin names among ${known}, got ${JSON.stringify(name)}`,
      );
    }
    return { dir: locate() };
  });
}
