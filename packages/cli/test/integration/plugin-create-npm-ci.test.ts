/**
 * "From a fresh clone, `npx tessera plugin:create auth-x`, then the root `npm ci` still succeeds", without a
 * four-minute install: npm ci refuses to start when package-lock.json and the package.json files of the root and
 * of every workspace disagree, and `npm ci --dry-run` runs that same check, then installs nothing. So the test
 * copies exactly those files (what a clone has of them) into a temporary folder, runs the `tessera` command
 * there, then `npm ci --dry-run` offline. The control: a plugin written into a workspace folder
 * (`--dir plugins/auth-y`) makes the same check fail with the error a real npm ci gives.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const REPO = path.resolve(__dirname, '../../../..');
const TESSERA = path.join(REPO, 'packages', 'cli', 'bin', 'tessera.js');

/** The root's package.json, its lock, and each workspace's package.json, at the same relative paths. */
function copyInstallManifests(into: string): void {
  const root = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] };
  const files = ['package.json', 'package-lock.json'];
  for (const pattern of root.workspaces) {
    // The patterns are `<folder>/*`.
    const parent = pattern.replace(/\/\*$/, '');
    for (const entry of readdirSync(path.join(REPO, parent), { withFileTypes: true })) {
      const manifest = path.join(parent, entry.name, 'package.json');
      if (entry.isDirectory() && existsSync(path.join(REPO, manifest))) files.push(manifest);
    }
  }
  for (const file of files) {
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    cpSync(path.join(REPO, file), path.join(into, file));
  }
}

function run(command: string, args: string[], cwd: string) {
  // The developer's TESSERA_* settings and npm's own per-run settings stay out of the nested commands.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('TESSERA_') && !key.toLowerCase().startsWith('npm_'),
    ),
  );
  const outcome = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: outcome.status, output: `${outcome.stdout}\n${outcome.stderr}` };
}

const npmCiCheck = (cwd: string) =>
  run('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], cwd);

describe('plugin:create leaves the root npm ci working', () => {
  let clone: string;

  beforeAll(() => {
    clone = mkdtempSync(path.join(tmpdir(), 'tessera-npm-ci-'));
    copyInstallManifests(clone);
  });

  afterAll(() => {
    rmSync(clone, { recursive: true, force: true });
  });

  it('passes the check before and after `tessera plugin:create auth-x`', () => {
    const before = npmCiCheck(clone);
    expect(before).toMatchObject({ status: 0 });

    const created = run(process.execPath, [TESSERA, 'plugin:create', 'auth-x'], clone);
    expect(created).toEqual({ status: 0, output: expect.stringContaining('Created the plugin "auth-x"') });
    expect(existsSync(path.join(clone, 'tessera-plugins', 'auth-x', 'package.json'))).toBe(true);

    const after = npmCiCheck(clone);
    expect(after).toEqual({ status: 0, output: expect.stringMatching(/added \d+ packages/) });
  }, 240_000);

  it('fails the check, as npm ci does, for a plugin written into a workspace folder', () => {
    const created = run(
      process.execPath,
      [TESSERA, 'plugin:create', 'auth-y', '--dir', 'plugins/auth-y'],
      clone,
    );
    expect(created.status).toBe(0);
    expect(created.output).toContain('tessera: warning: plugins/auth-y is one of the npm workspaces');

    const after = npmCiCheck(clone);
    expect(after.status).not.toBe(0);
    expect(after.output).toContain('Missing: @tessera/plugin-auth-y@0.1.0 from lock file');
  }, 240_000);
});
