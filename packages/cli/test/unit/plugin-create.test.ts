/**
 * `tessera plugin:create`: what it writes, its one-line errors, and the guide (docs/writing-a-strategy.md),
 * whose code samples must be the generated plugin's files as they are. Building, loading and testing the
 * generated plugin is test/integration/plugin-create.test.ts's job.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createPlugin, errorSubdomainOf, strategyNameOf } from '../../src/plugin-create';
import { run } from '../../src/run';

const GUIDE = path.resolve(__dirname, '../../../../docs/writing-a-strategy.md');

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'tessera-plugin-create-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function tessera(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // A port nothing listens on: a command that tried to connect would fail.
  const env = { TESSERA_HOST: '127.0.0.1', TESSERA_PORT: '1' };
  const code = await run(argv, env, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, cwd);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The generated files the guide shows, sorted. */
const SHOWN_IN_THE_GUIDE = [
  'manifest.json',
  'src/authenticator.ts',
  'src/credentials-store.ts',
  'src/errors.ts',
  'src/index.ts',
  'src/secret-hasher.ts',
  'src/strategy.ts',
  'test/integration/conformance.test.ts',
  'test/integration/errors.test.ts',
  'test/unit/strategy.test.ts',
];
/** The other generated files: the project's tooling. */
const PROJECT_FILES = ['.gitignore', 'README.md', 'jest.config.js', 'package.json', 'tsconfig.json'];

const read = (...parts: string[]) => readFileSync(path.join(cwd, ...parts), 'utf8');

describe('tessera plugin:create', () => {
  it('writes a plugin folder into ./tessera-plugins/<name>, without a server, and says how to load it', async () => {
    const outcome = await tessera('plugin:create', 'auth-passphrase');
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toContain(
      `Created the plugin "auth-passphrase" (strategy "passphrase") in ${path.join('tessera-plugins', 'auth-passphrase')}:`,
    );
    expect(outcome.stdout).toContain(
      'Load it: in .tesserarc, plugins: { paths: ["./tessera-plugins/auth-passphrase"] }, ' +
        'its settings under plugins["auth-passphrase"]\n',
    );
    const created = createPlugin('auth-other', undefined, cwd);
    expect(created.files).toEqual([...PROJECT_FILES, ...SHOWN_IN_THE_GUIDE].sort());
    for (const file of created.files) {
      expect(read('tessera-plugins', 'auth-passphrase', file)).not.toMatch(/__[A-Z_]+__/);
    }
    expect(JSON.parse(read('tessera-plugins', 'auth-passphrase', 'manifest.json'))).toEqual({
      name: 'auth-passphrase',
      version: '0.1.0',
      kernel: '>=0.1.0 <1',
      main: 'dist/index.js',
    });
    expect(JSON.parse(read('tessera-plugins', 'auth-passphrase', 'package.json'))).toMatchObject({
      name: '@tessera/plugin-auth-passphrase',
      main: 'dist/index.js',
      dependencies: { '@tessera/plugin-sdk': '0.1.0' },
    });
    expect(read('tessera-plugins', 'auth-passphrase', 'src', 'index.ts')).toContain(
      "export const STRATEGY_NAME = 'passphrase';",
    );
  });

  it('writes into --dir, which may exist if it is empty', async () => {
    mkdirSync(path.join(cwd, 'empty'));
    expect(await tessera('plugin:create', 'totp', '--dir', 'empty')).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(read('empty', 'manifest.json'))).toMatchObject({ name: 'totp' });
    // A name that is a valid identifier is an unquoted key.
    expect(read('empty', 'test', 'integration', 'conformance.test.ts')).toContain(
      'overrides: { plugins: { totp: { scryptCost: 4 } } },',
    );
  });

  it('gives its errors a subdomain of 0xa0 to 0xff picked from its name, in the errors module and its tests', async () => {
    expect(await tessera('plugin:create', 'auth-passphrase')).toMatchObject({ code: 0 });
    const subdomain = errorSubdomainOf('auth-passphrase');
    expect(subdomain).toBeGreaterThanOrEqual(0xa0);
    expect(subdomain).toBeLessThanOrEqual(0xff);
    expect(errorSubdomainOf('auth-other')).not.toBe(subdomain);
    const hex = `0x${subdomain.toString(16)}`;
    expect(read('tessera-plugins', 'auth-passphrase', 'src', 'errors.ts')).toContain(
      `definePluginErrors('auth-passphrase', ${hex}, {`,
    );
    expect(read('tessera-plugins', 'auth-passphrase', 'test', 'unit', 'strategy.test.ts')).toContain(
      `code: (0x04 << 24) | (${hex} << 16) | 0x01,`,
    );
  });

  it('names the strategy after the plugin, without a leading "auth-"', () => {
    expect(strategyNameOf('auth-passphrase')).toBe('passphrase');
    expect(strategyNameOf('magic-link')).toBe('magic-link');
    expect(strategyNameOf('auth-2fa')).toBe('auth-2fa');
    expect(strategyNameOf('auth-')).toBe('auth-');
  });

  it.each([
    [['plugin:create', 'Bad_Name'], /^tessera: invalid plugin name "Bad_Name": expected/],
    [['plugin:create', '1plugin'], /^tessera: invalid plugin name "1plugin"/],
    [['plugin:create', 'x'.repeat(51)], /^tessera: invalid plugin name/],
    [['plugin:create'], /^tessera: plugin:create needs a plugin name/],
    [['plugin:create', 'a', 'b'], /^tessera: unexpected argument "b"/],
    [['plugin:create', 'a', '--dir'], /^tessera: option --dir needs a value/],
  ])('refuses %j in one line, with exit code 1', async (argv, message) => {
    const outcome = await tessera(...argv);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.split('\n')).toEqual([expect.stringMatching(message), '']);
  });

  it('refuses a folder that is not empty, and writes nothing in it', async () => {
    mkdirSync(path.join(cwd, 'tessera-plugins', 'taken'), { recursive: true });
    writeFileSync(path.join(cwd, 'tessera-plugins', 'taken', 'keep.txt'), 'mine');
    const outcome = await tessera('plugin:create', 'taken');
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(
      `tessera: ${path.join(cwd, 'tessera-plugins', 'taken')} already exists and is not an empty folder\n`,
    );
    expect(read('tessera-plugins', 'taken', 'keep.txt')).toBe('mine');
    writeFileSync(path.join(cwd, 'a-file'), '');
    expect((await tessera('plugin:create', 'other', '--dir', 'a-file')).code).toBe(1);
  });

  it('stays out of the npm workspaces of the checkout it runs in, and warns when --dir puts it in one', async () => {
    writeFileSync(
      path.join(cwd, 'package.json'),
      JSON.stringify({ private: true, workspaces: ['packages/*', 'plugins/*', 'apps/*'] }),
    );
    const outside = await tessera('plugin:create', 'auth-outside');
    expect(outside).toMatchObject({ code: 0, stderr: '' });
    expect(createPlugin('auth-beside', 'apps-of-mine/auth-beside', cwd).insideWorkspacesOf).toBeNull();

    const inside = await tessera('plugin:create', 'auth-inside', '--dir', 'plugins/auth-inside');
    expect(inside.code).toBe(0);
    expect(inside.stderr).toBe(
      `tessera: warning: ${path.join('plugins', 'auth-inside')} is one of the npm workspaces of ${cwd}, ` +
        'whose npm ci will refuse to run until npm install adds it to package-lock.json\n',
    );
  });

  it('prints its help with --help, and the main help lists it', async () => {
    const help = await tessera('plugin:create', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: tessera plugin:create <name> \[--dir <folder>\]/);
    expect(help.stdout).toContain('./tessera-plugins/<name>');
    expect((await tessera('--help')).stdout).toContain('tessera plugin:create <name> [--dir <folder>]');
  });
});

describe('docs/writing-a-strategy.md', () => {
  /** Each fenced block, with the `<!-- example: ... -->` marker written before it. */
  const blocks = (): { marker: string | undefined; lang: string; code: string; line: number }[] => {
    const lines = readFileSync(GUIDE, 'utf8').split('\n');
    const found = [];
    for (let i = 0; i < lines.length; i += 1) {
      const open = /^```(\S*)$/.exec(lines[i] ?? '');
      if (!open) continue;
      const end = lines.indexOf('```', i + 1);
      let before = i - 1;
      while (before >= 0 && lines[before]?.trim() === '') before -= 1;
      const marker = /^<!-- example: (.+) -->$/.exec(lines[before] ?? '')?.[1];
      found.push({ marker, lang: open[1] ?? '', code: lines.slice(i + 1, end).join('\n'), line: i + 1 });
      i = end;
    }
    return found;
  };

  it('marks every code sample with where it comes from', () => {
    const unmarked = blocks().filter((block) => block.marker === undefined);
    expect(unmarked.map((block) => `line ${block.line}`)).toEqual([]);
    expect(blocks().length).toBeGreaterThan(8);
  });

  it("shows the generated plugin's files as they are", () => {
    createPlugin('auth-passphrase', 'auth-passphrase', cwd);
    const checked = new Set<string>();
    for (const { marker, code, line } of blocks()) {
      // The shell commands and the configuration are run by the integration test.
      if (marker === undefined || marker === 'shell' || marker === 'config') continue;
      const excerpt = / \(excerpt\)$/.exec(marker);
      const file = excerpt ? marker.slice(0, excerpt.index) : marker;
      const content = read('auth-passphrase', file);
      const where = `the sample at line ${line} (${marker})`;
      if (excerpt) expect({ where, found: content.includes(`${code}\n`) }).toEqual({ where, found: true });
      else expect({ where, code: `${code}\n` }).toEqual({ where, code: content });
      checked.add(file);
    }
    expect([...checked].sort()).toEqual(SHOWN_IN_THE_GUIDE);
  });

  it('has one shell sample and one configuration sample, which the integration test runs', () => {
    const markers = blocks().map((block) => block.marker);
    expect(markers.filter((marker) => marker === 'shell')).toHaveLength(1);
    expect(markers.filter((marker) => marker === 'config')).toHaveLength(1);
  });
});
