/**
 * Reads and validates a plugin's manifest.json. Nothing here loads plugin code: a bad manifest is refused with
 * an error naming the plugin and the field before any of the plugin's modules runs.
 */
import { messageOf } from '../internal/message-of';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { TesseraError, tesseraError, type PluginManifest } from '@tessera/plugin-sdk';

export interface LocatedManifest extends PluginManifest {
  /** The plugin folder, absolute. */
  readonly dir: string;
  /** The entry module, absolute, symbolic links resolved, inside `dir`. */
  readonly mainPath: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const MAIN_EXPECTED = 'expected a relative path to a file inside the plugin folder';

export async function readManifest(dir: string, kernelVersion: string): Promise<LocatedManifest> {
  return locateManifest(await readManifestJson(dir), kernelVersion);
}

/** A plugin folder's `manifest.json`, parsed but not checked: what a foreign format recognises its own by. */
export interface ManifestJson {
  /** The plugin folder, absolute. */
  readonly folder: string;
  readonly raw: unknown;
}

export async function readManifestJson(dir: string): Promise<ManifestJson> {
  const folder = path.resolve(dir);
  try {
    return { folder, raw: JSON.parse(await readFile(path.join(folder, 'manifest.json'), 'utf8')) as unknown };
  } catch (error) {
    throw new TesseraError('plugin.manifest.cannot_load', [folder, messageOf(error)], { cause: error });
  }
}

/** Checks a Tessera manifest read from `folder`, and where its entry module is. */
export async function locateManifest(
  { folder, raw }: ManifestJson,
  kernelVersion: string,
): Promise<LocatedManifest> {
  const manifest = validateManifest(raw, kernelVersion, folder);
  // validateManifest has checked that raw is an object.
  const { main } = raw as { main?: unknown };
  if (typeof main !== 'string' || main === '' || path.isAbsolute(main)) {
    throw invalidField(manifest.name, 'main', MAIN_EXPECTED, main);
  }
  return { ...manifest, main, dir: folder, mainPath: await resolveMain(manifest.name, main, folder) };
}

/**
 * Checks every manifest field but `main` (a built-in plugin has no folder). `origin` names the plugin in
 * errors until its name is known to be valid; from then on its name does.
 */
export function validateManifest(
  raw: unknown,
  kernelVersion: string,
  origin: string,
): Omit<PluginManifest, 'main'> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw tesseraError('plugin.manifest.cannot_load', origin, 'expected a JSON object');
  }
  const { name, version, kernel, dependsOn } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalidField(origin, 'name', `expected a string matching ${String(NAME)}`, name);
  }
  if (typeof version !== 'string' || semver.valid(version) === null) {
    throw invalidField(name, 'version', 'expected a semver version such as "1.0.0"', version);
  }
  if (typeof kernel !== 'string' || semver.validRange(kernel) === null) {
    throw invalidField(
      name,
      'kernel',
      'expected a semver range of Tessera versions such as ">=0.1.0 <1"',
      kernel,
    );
  }
  if (!semver.satisfies(kernelVersion, kernel, { includePrerelease: true })) {
    throw tesseraError('plugin.manifest.version_mismatch', name, kernelVersion, kernel);
  }
  if (dependsOn === undefined) return { name, version, kernel };
  if (
    !Array.isArray(dependsOn) ||
    !dependsOn.every((other) => typeof other === 'string' && NAME.test(other) && other !== name)
  ) {
    throw invalidField(name, 'dependsOn', "expected an array of other plugins' names", dependsOn);
  }
  return { name, version, kernel, dependsOn: [...(dependsOn as string[])] };
}

/** Follows symbolic links, so a link cannot lead `main` out of the plugin folder. */
async function resolveMain(name: string, main: string, folder: string): Promise<string> {
  let mainPath: string;
  let root: string;
  try {
    [mainPath, root] = await Promise.all([realpath(path.resolve(folder, main)), realpath(folder)]);
  } catch (error) {
    const reason = `${MAIN_EXPECTED}, but "${main}" does not exist`;
    throw new TesseraError('plugin.manifest.invalid_field', [name, 'main', reason], { cause: error });
  }
  const relative = path.relative(root, mainPath);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw invalidField(name, 'main', `${MAIN_EXPECTED}, but it resolves outside`, main);
  }
  if (!(await stat(mainPath)).isFile())
    throw invalidField(name, 'main', `${MAIN_EXPECTED}, but it is not a file`, main);
  return mainPath;
}

function invalidField(plugin: string, field: string, expected: string, actual: unknown): TesseraError {
  const got = actual === undefined ? 'the field is missing' : `got ${JSON.stringify(actual)}`;
  return tesseraError('plugin.manifest.invalid_field', plugin, field, `${expected}; ${got}`);
}

/** The message of whatever was thrown, Error or not. */
