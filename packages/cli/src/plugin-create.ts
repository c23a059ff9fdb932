/**
 * `tessera plugin:create <name>`: writes a ready strategy plugin folder from the templates shipped with the
 * command (templates/strategy-plugin). Local only: it never contacts a server.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './cli-error';

export const PLUGIN_CREATE_USAGE = `Usage: tessera plugin:create <name> [--dir <folder>]

Writes a ready strategy plugin: manifest.json, package.json, tsconfig.json, src/ (definePlugin and a
"username + secret" strategy storing scrypt hashes in the plugin's own storage) and a test running the
strategy conformance suite. Nothing is sent to a server.

  <name>            the plugin's name, as in manifest.json: ^[a-z][a-z0-9-]*$ (at most 50 characters).
                    The strategy is named after it, without a leading "auth-" (auth-passphrase: passphrase).
  --dir <folder>    where to write it (./plugins/<name>); it must not exist or be empty

Then: cd into it, npm run build, npm test. See docs/writing-a-strategy.md.
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
  readonly strategy: string;
  /** Relative paths of the files written, sorted. */
  readonly files: readonly string[];
}

export function createPlugin(name: string, dir: string | undefined, cwd: string): CreatedPlugin {
  if (!PLUGIN_NAME.test(name)) {
    throw new CliError(`invalid plugin name "${name}": expected ^[a-z][a-z0-9-]*$, at most 50 characters`);
  }
  const target = path.resolve(cwd, dir ?? path.join('plugins', name));
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
  return { dir: target, strategy, files: files.map(outputPath).sort() };
}

/** `auth-passphrase` registers `passphrase`; a name without that prefix (or only it) is the strategy's too. */
export function strategyNameOf(plugin: string): string {
  const stripped = plugin.replace(/^auth-/, '');
  return STRATEGY_NAME.test(stripped) ? stripped : plugin;
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
