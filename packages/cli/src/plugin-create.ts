/**
 * `tessera plugin:create <name>`: writes a ready strategy plugin folder from the templates shipped with the
 * command (templates/strategy-plugin). Local only: it never contacts a server.
 *
 * The default folder, ./tessera-plugins/<name>, is outside a Tessera checkout's npm workspaces (packages/*,
 * plugins/*, apps/*): a folder a workspace pattern matches is a workspace package.json that package-lock.json
 * does not list, and the root `npm ci` refuses to install until `npm install` has added it. A server loads the
 * plugin from wherever it is, through `plugins.paths`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './cli-error';

/** Where plugins are written by default, relative to the current folder. */
export const DEFAULT_PARENT = 'tessera-plugins';

export const PLUGIN_CREATE_USAGE = `Usage: tessera plugin:create <name> [--dir <folder>]

Writes a ready strategy plugin: manifest.json, package.json, tsconfig.json, src/ (definePlugin, its own
errors and a "username + secret" strategy storing scrypt hashes in the plugin's own storage) and tests
(unit tests in the plugin's context, and the strategy conformance suite). Nothing is sent to a server.

  <name>            the plugin's name, as in manifest.json: ^[a-z][a-z0-9-]*$ (at most 50 characters).
                    The strategy is named after it, without a leading "auth-" (auth-passphrase: passphrase).
  --dir <folder>    where to write it (./${DEFAULT_PARENT}/<name>); it must not exist or be empty.
                    Keep it out of the npm workspaces of a Tessera checkout (packages/*, plugins/*, apps/*):
                    the root npm ci refuses a workspace that package-lock.json does not list.

Then: cd into it, npm run build, npm test; a server loads it with plugins.paths: ["<its folder>"].
See docs/writing-a-strategy.md.
`;

/** The manifest's rule (the kernel's), with a length limit of our own. */
const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,49}$/;
const STRATEGY_NAME = /^[a-z][a-z0-9_-]*$/;
const TEMPLATES = path.resolve(__dirname, '..', 'templates', 'strategy-plugin');
const TEMPLATE_SUFFIX = '.tmpl';
/** Template files whose name npm would not publish or git would take as its own, renamed on the way out. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

export interface CreatedPlugin {
  readonly dir: string;
  /** The npm workspaces root whose `workspaces` patterns match `dir`, if any: its `npm ci` will refuse. */
  readonly insideWorkspacesOf: string | null;
  readonly strategy: string;
  /** Relative paths of the files written, sorted. */
  readonly files: readonly string[];
}

export function createPlugin(name: string, dir: string | undefined, cwd: string): CreatedPlugin {
  if (!PLUGIN_NAME.test(name)) {
    throw new CliError(`invalid plugin name "${name}": expected ^[a-z][a-z0-9-]*$, at most 50 characters`);
  }
  const target = path.resolve(cwd, dir ?? path.join(DEFAULT_PARENT, name));
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new CliError(`${target} already exists and is not an empty folder`);
  }
  const strategy = strategyNameOf(name);
  const version = cliVersion();
  const values: Record<string, string> = {
    __PLUGIN_NAME__: name,
    __PLUGIN_KEY__: /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`,
    __STRATEGY_NAME__: strategy,
    __SDK_VERSION__: version,
    __KERNEL_RANGE__: `>=${version} <${Number(version.split('.')[0]) + 1}`,
    __ERROR_SUBDOMAIN__: `0x${errorSubdomainOf(name).toString(16)}`,
  };
  const files = templateFiles(TEMPLATES).sort();
  for (const file of files) {
    const content = readFileSync(path.join(TEMPLATES, file), 'utf8').replace(
      /__[A-Z_]+__/g,
      (placeholder) => values[placeholder] ?? placeholder,
    );
    const destination = path.join(target, outputPath(file));
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(destination, content);
  }
  return {
    dir: target,
    insideWorkspacesOf: workspacesRootMatching(target),
    strategy,
    files: files.map(outputPath).sort(),
  };
}

/**
 * The subdomain of the plugin's own errors: one of 0xa0 to 0xff picked from its name, so that two generated
 * plugins rarely collide (the kernel refuses a collision at boot, naming both) and none takes a first-party
 * plugin's (0x90 to 0x92).
 */
export function errorSubdomainOf(plugin: string): number {
  let hash = 0;
  for (const char of plugin) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 0xa0 + (hash % 0x60);
}

/** `auth-passphrase` registers `passphrase`; a name without that prefix (or only it) is the strategy's too. */
export function strategyNameOf(plugin: string): string {
  const stripped = plugin.replace(/^auth-/, '');
  return STRATEGY_NAME.test(stripped) ? stripped : plugin;
}

/**
 * The nearest folder above `dir` whose package.json declares npm workspaces matching `dir`. npm's patterns are
 * globs; the ones a monorepo writes (`plugins/*`, `apps/web`) are folder paths with `*` segments, which is
 * what is matched here.
 */
function workspacesRootMatching(dir: string): string | null {
  for (let root = path.dirname(dir); root !== path.dirname(root); root = path.dirname(root)) {
    const patterns = workspacesOf(path.join(root, 'package.json'));
    if (patterns === null) continue;
    const relative = path.relative(root, dir).split(path.sep);
    const matches = patterns.some((pattern) => {
      const segments = pattern.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
      return (
        segments.length === relative.length &&
        segments.every((segment, i) => segment === '*' || segment === relative[i])
      );
    });
    return matches ? root : null;
  }
  return null;
}

/** The `workspaces` patterns of a package.json (array or `{packages}` form); null without a readable one. */
function workspacesOf(packageJson: string): string[] | null {
  if (!existsSync(packageJson)) return null;
  try {
    const { workspaces } = JSON.parse(readFileSync(packageJson, 'utf8')) as { workspaces?: unknown };
    const patterns = Array.isArray(workspaces)
      ? workspaces
      : (workspaces as { packages?: unknown } | undefined)?.packages;
    return Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === 'string') : null;
  } catch {
    return null;
  }
}

function outputPath(template: string): string {
  const file = template.slice(0, -TEMPLATE_SUFFIX.length);
  const base = path.basename(file);
  return path.join(path.dirname(file), RENAMED[base] ?? base);
}

function templateFiles(root: string, under = ''): string[] {
  return readdirSync(path.join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(under, entry.name);
    if (entry.isDirectory()) return templateFiles(root, relative);
    return entry.name.endsWith(TEMPLATE_SUFFIX) ? [relative] : [];
  });
}

function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
