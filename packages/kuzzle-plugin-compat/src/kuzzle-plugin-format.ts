/**
 * The Kuzzle plugin format: a folder whose `manifest.json` has `kuzzleVersion` (and no Tessera `kernel`) is a
 * Kuzzle 2.x plugin, loaded as Kuzzle loads it (the folder's package entry, a class with `init`) and run through
 * kuzzle-plugin.ts. Checked before any of its code runs:
 *
 * - `kuzzleVersion` must accept the Kuzzle API version Tessera speaks (KUZZLE_API_VERSION);
 * - `privileged: true` is refused: a privileged context reaches Kuzzle's internals, which have no equivalent;
 * - `errors` become the plugin's own errors, `plugin.<name>.<error>`, each class giving its status. Their
 *   subdomain is `plugins.<name>._pluginCode` (Kuzzle's key), from 0x90 to 0xff, 0xff by default: two Kuzzle
 *   plugins with errors need distinct codes, and the boot says so when they collide;
 * - the version is the folder's package.json's, as Kuzzle reads it.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import {
  PLUGIN_ERROR_SUBDOMAINS,
  TesseraError,
  tesseraError,
  type PluginErrors,
  type PluginFormat,
} from '@tessera/plugin-sdk';
import { manifestErrors } from './kuzzle-errors';
import { kuzzlePluginDefinition } from './kuzzle-plugin';

/** The Kuzzle release whose API Tessera speaks (docs/api.md): what a manifest's `kuzzleVersion` must accept. */
export const KUZZLE_API_VERSION = '2.56.0';

const DEFAULT_SUBDOMAIN = 0xff;

export interface KuzzlePluginFormatOptions {
  /** The clock written into `_kuzzle_info` (the local strategy expires passwords by it). */
  readonly now?: () => number;
}

export function kuzzlePluginFormat(options: KuzzlePluginFormatOptions = {}): PluginFormat {
  return {
    name: 'Kuzzle',
    recognises: (manifest) => manifest.kuzzleVersion !== undefined && manifest.kernel === undefined,
    translate({ dir, manifest, config }) {
      const { name, kuzzleVersion, privileged } = manifest;
      if (typeof name !== 'string' || name === '')
        throw invalidField(dir, 'name', 'expected a non-empty string', name);
      if (typeof kuzzleVersion !== 'string' || semver.validRange(kuzzleVersion) === null) {
        throw invalidField(
          name,
          'kuzzleVersion',
          'expected a semver range of Kuzzle versions',
          kuzzleVersion,
        );
      }
      if (!semver.satisfies(KUZZLE_API_VERSION, kuzzleVersion, { includePrerelease: true })) {
        throw invalidField(
          name,
          'kuzzleVersion',
          `Tessera speaks the API of Kuzzle ${KUZZLE_API_VERSION}, which this range excludes`,
          kuzzleVersion,
        );
      }
      if (privileged === true) {
        throw invalidField(
          name,
          'privileged',
          "Tessera runs no privileged Kuzzle plugin: a privileged context reaches Kuzzle's internals",
          privileged,
        );
      }
      const errors = manifest.errors === undefined ? undefined : errorsOf(name, manifest.errors, config);
      const version = packageVersion(dir);
      return {
        manifest: { name, version, kernel: '*' },
        load: () =>
          kuzzlePluginDefinition({ name, PluginClass: pluginClass(name, dir), errors, now: options.now }),
      };
    },
  };
}

function errorsOf(name: string, raw: unknown, config: Readonly<Record<string, unknown>>): PluginErrors {
  const code = config._pluginCode ?? DEFAULT_SUBDOMAIN;
  const { min, max } = PLUGIN_ERROR_SUBDOMAINS;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < min || code > max) {
    throw tesseraError(
      'core.config.invalid_value',
      `plugins.${name}._pluginCode`,
      `expected the subdomain of the plugin's errors, an integer from ${min} to ${max}, got ${JSON.stringify(code)}`,
    );
  }
  try {
    return manifestErrors(name, code, raw);
  } catch (error) {
    throw invalidField(name, 'errors', error instanceof Error ? error.message : String(error), undefined);
  }
}

function packageVersion(dir: string): string {
  try {
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    if (typeof version === 'string') return version;
  } catch {
    // No package.json: Kuzzle plugins need none; the version is then unknown.
  }
  return '0.0.0';
}

/** The plugin's class, loaded as Kuzzle loads it: the folder's package entry, which must stay inside it. */
function pluginClass(name: string, dir: string): new () => unknown {
  let exported: unknown;
  try {
    const entry = realpathSync(require.resolve(dir));
    const relative = path.relative(realpathSync(dir), entry);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new Error(`its entry module ${entry} is outside the plugin folder`);
    }
    // Kuzzle plugins are CommonJS modules at paths known only at run time; `require` is the loader for that.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(entry) as unknown;
  } catch (error) {
    throw new TesseraError(
      'plugin.assert.cannot_load',
      [dir, error instanceof Error ? error.message : String(error)],
      {
        cause: error,
      },
    );
  }
  const candidate =
    typeof exported === 'function' ? exported : (exported as { default?: unknown } | null)?.default;
  if (typeof candidate !== 'function') {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      name,
      'a Kuzzle plugin module exports its plugin class',
    );
  }
  return candidate as new () => unknown;
}

function invalidField(plugin: string, field: string, expected: string, actual: unknown): TesseraError {
  const got = actual === undefined ? '' : `; got ${JSON.stringify(actual)}`;
  return tesseraError('plugin.manifest.invalid_field', plugin, field, `${expected}${got}`);
}
