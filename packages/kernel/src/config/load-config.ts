/**
 * Where the server configuration comes from, in order (later wins): the defaults; one JSON5 file (the path in
 * `TESSERA_CONFIG`, else the nearest `.tesserarc[.json|.json5]` walking up from the working directory);
 * `tessera_<key>__<key>...` environment variables; the caller's overrides. The merged result is validated as a
 * whole, normalised and deep-frozen. No key from a file or the environment can reach an object's prototype.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseJson5 } from 'json5';
import { TesseraError, tesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from '../api/envelope';
import { deepFreeze } from '../internal/deep-freeze';
import {
  CONFIG_DEFAULTS,
  invalidValue,
  validateConfig,
  type DeepPartial,
  type TesseraConfig,
} from './config-schema';

export interface LoadConfigOptions {
  /** Where the `.tesserarc` search starts and what a relative `TESSERA_CONFIG` is relative to. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last, over every other source. */
  overrides?: DeepPartial<TesseraConfig>;
}

const CONFIG_PATH_VARIABLE = 'TESSERA_CONFIG';
const RC_FILE_NAMES = ['.tesserarc', '.tesserarc.json', '.tesserarc.json5'];
const ENV_PREFIX = 'tessera_';
const ENV_PATH_SEPARATOR = '__';
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Where a configuration came from, one layer each, in the order they apply. */
export type ConfigSource =
  | { readonly kind: 'defaults' }
  | { readonly kind: 'file'; readonly path: string; readonly via: 'TESSERA_CONFIG' | 'search' }
  | { readonly kind: 'environment'; readonly variables: readonly string[] }
  | { readonly kind: 'overrides' };

export interface LoadedConfig {
  readonly config: TesseraConfig;
  readonly sources: readonly ConfigSource[];
  /** What is probably not what the operator meant: a second rc file, an upper-case variable that is ignored. */
  readonly warnings: readonly string[];
}

/** Reads, merges and validates the configuration; throws a `core.config.*` error naming the faulty key or file. */
export function loadConfig(options: LoadConfigOptions = {}): TesseraConfig {
  return loadConfigWithSources(options).config;
}

/** As loadConfig, and says which sources were used and what looks like a mistake (for the boot lines). */
export function loadConfigWithSources(options: LoadConfigOptions = {}): LoadedConfig {
  const { cwd = process.cwd(), env = process.env, overrides } = options;
  const warnings: string[] = [];
  const file = findConfigFile(cwd, env, warnings);
  const sources: ConfigSource[] = [{ kind: 'defaults' }];
  if (file !== undefined)
    sources.push({ kind: 'file', path: file, via: env[CONFIG_PATH_VARIABLE] ? 'TESSERA_CONFIG' : 'search' });
  const variables = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX))
    .sort();
  if (variables.length > 0) sources.push({ kind: 'environment', variables });
  if (overrides !== undefined) sources.push({ kind: 'overrides' });
  for (const name of Object.keys(env).sort()) {
    if (
      name.toLowerCase().startsWith(ENV_PREFIX) &&
      !name.startsWith(ENV_PREFIX) &&
      name.includes(ENV_PATH_SEPARATOR)
    ) {
      warnings.push(
        `${name} is ignored: configuration variables are ${ENV_PREFIX} in lower case, then the key's path spelled as the key is (tessera_server__port, tessera_security__jwt__expiresIn)`,
      );
    }
  }
  const config = resolve([
    file === undefined ? undefined : readConfigFile(file),
    readEnvironment(env),
    overrides,
  ]);
  return { config, sources, warnings };
}

/** One line per source, as the server logs them at boot. */
export function describeConfigSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'defaults':
      return 'defaults';
    case 'file':
      return source.via === 'TESSERA_CONFIG' ? `file ${source.path} (TESSERA_CONFIG)` : `file ${source.path}`;
    case 'environment':
      return `environment ${source.variables.join(', ')}`;
    case 'overrides':
      return 'overrides given by the caller';
  }
}

/** The configuration with nothing configured. */
export function defaultConfig(): TesseraConfig {
  return resolve([]);
}

function resolve(layers: readonly unknown[]): TesseraConfig {
  const merged = [CONFIG_DEFAULTS, ...layers].reduce<unknown>(
    (config, layer) => merge(config, withAliases(layer), []),
    {},
  );
  return deepFreeze(validateConfig(merged));
}

function findConfigFile(cwd: string, env: NodeJS.ProcessEnv, warnings: string[]): string | undefined {
  const explicit = env[CONFIG_PATH_VARIABLE];
  if (explicit) return path.resolve(cwd, explicit);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const found = RC_FILE_NAMES.map((name) => path.join(dir, name)).filter(isFile);
    if (found.length > 1) {
      const ignored = found.slice(1).map((file) => path.basename(file));
      warnings.push(
        `${found[0]} is read; ${ignored.join(' and ')} beside it ${ignored.length > 1 ? 'are' : 'is'} ignored`,
      );
    }
    if (found.length > 0 || path.dirname(dir) === dir) return found[0];
  }
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function readConfigFile(file: string): Record<string, unknown> {
  let content: unknown;
  try {
    content = parseJson5(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TesseraError(
      'core.config.unreadable_file',
      [file, error instanceof Error ? error.message : error],
      {
        cause: error,
      },
    );
  }
  if (!isPlainObject(content)) {
    throw tesseraError('core.config.unreadable_file', file, 'the top level must be an object');
  }
  return content;
}

/**
 * `tessera_server__port=7600` -> `{server: {port: 7600}}`. Keys are case-sensitive; a value is read as JSON5 when
 * it parses as such (numbers, booleans, null, arrays, objects), else kept as the string it is.
 */
function readEnvironment(env: NodeJS.ProcessEnv): unknown {
  // Sorted, so that `tessera_a` always comes before (and under) `tessera_a__b`.
  const names = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX))
    .sort();
  return names.reduce<unknown>((layer, name) => {
    const keys = name.slice(ENV_PREFIX.length).split(ENV_PATH_SEPARATOR);
    if (keys.includes('')) throw tesseraError('core.config.unknown_key', name);
    const value = keys.reduceRight<unknown>(
      (inner, key) => ({ [key]: inner }),
      parseEnvValue(env[name] ?? ''),
    );
    return merge(layer, value, []);
  }, {});
}

function parseEnvValue(text: string): unknown {
  try {
    return parseJson5(text);
  } catch {
    return text;
  }
}

/** Within one source, `security.authToken.*` (Kuzzle's keys) goes to `security.jwt.*`; `security.jwt` wins. */
function withAliases(layer: unknown): unknown {
  if (!isPlainObject(layer) || !isPlainObject(layer.security) || layer.security.authToken === undefined) {
    return layer;
  }
  const { authToken, ...security } = layer.security;
  if (!isPlainObject(authToken)) throw invalidValue(['security', 'authToken'], 'an object', authToken);
  const jwt = merge(merge({}, authToken, ['security', 'authToken']), security.jwt, ['security', 'jwt']);
  return { ...layer, security: { ...security, jwt } };
}

/**
 * `over` laid on `base`: objects merge key by key, anything else (arrays included) replaces. Returns copies of
 * what it takes from `over`, so the result owns every object in it and may mutate `base`, which it built.
 * A `__proto__`, `constructor` or `prototype` key is refused, never followed.
 */
function merge(base: unknown, over: unknown, at: readonly string[]): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over)) return over.map((item) => merge(undefined, item, at));
  if (!isPlainObject(over)) return over;
  const target: Record<string, unknown> = isPlainObject(base) ? base : {};
  for (const [key, value] of Object.entries(over)) {
    const keyPath = [...at, key];
    if (FORBIDDEN_KEYS.has(key)) throw tesseraError('core.config.unknown_key', keyPath.join('.'));
    target[key] = merge(Object.hasOwn(target, key) ? target[key] : undefined, value, keyPath);
  }
  return target;
}
