/**
 * The guide, followed as a newcomer would (docs/writing-a-strategy.md): its shell commands, run as they are
 * from a fresh folder inside this checkout (so that node finds @tessera/plugin-sdk and @tessera/testing), write
 * a plugin with `npx tessera plugin:create`, build it and run its own conformance test; then a server loads it
 * with the guide's configuration, and kuzzle-sdk creates a user with the new strategy, logs in with it, and
 * receives the plugin's own error with its own id and code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import JSON5 from 'json5';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { errorSubdomainOf } from '../../src/plugin-create';

const REPO = path.resolve(__dirname, '../../../..');
const GUIDE = readFileSync(path.join(REPO, 'docs', 'writing-a-strategy.md'), 'utf8');

/** The fenced block after `<!-- example: <marker> -->`. */
function sample(marker: string): string {
  const match = new RegExp(`<!-- example: ${marker} -->\\s*\`\`\`\\S*\\n([\\s\\S]*?)\\n\`\`\``).exec(GUIDE);
  if (!match?.[1]) throw new Error(`no "${marker}" sample in the guide`);
  return match[1];
}

describe('writing a strategy, as the guide tells it', () => {
  // Inside the checkout (.tessera-test/ is git-ignored), so that the generated plugin resolves the workspace's
  // packages the way a plugin in plugins/ does.
  let root: string;
  let server: TestKernel | undefined;

  beforeAll(() => {
    mkdirSync(path.join(REPO, '.tessera-test'), { recursive: true });
    root = mkdtempSync(path.join(REPO, '.tessera-test', 'writing-a-strategy-'));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('generates, builds and tests the plugin with the commands of the guide', () => {
    const commands = sample('shell');
    expect(commands.split('\n')[0]).toBe('npx tessera plugin:create auth-passphrase');
    // The developer's TESSERA_* settings and this jest's worker identity stay out of the nested run.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('TESSERA_') && key !== 'JEST_WORKER_ID'),
    );
    const outcome = spawnSync('sh', ['-e', '-c', commands], {
      cwd: root,
      env,
      encoding: 'utf8',
      // A hang guard: building and testing the plugin takes a minute or two on a loaded machine.
      timeout: 270_000,
    });
    const output = `${outcome.stdout}\n${outcome.stderr}`;
    expect({ status: outcome.status, output }).toEqual({ status: 0, output });
    expect(output).toContain('Created the plugin "auth-passphrase" (strategy "passphrase")');
    expect(output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(output).not.toMatch(/Tests:.*failed/);
  }, 300_000);

  it('loads the built plugin with the configuration of the guide; kuzzle-sdk signs up and logs in', async () => {
    const config = JSON5.parse<{ plugins: { paths: string[] } & Record<string, unknown> }>(sample('config'));
    expect(config.plugins.paths).toEqual(['./tessera-plugins/auth-passphrase']);
    server = await startTestKernel({
      // The guide's paths are relative to where its commands ran.
      overrides: {
        plugins: { ...config.plugins, paths: config.plugins.paths.map((dir) => path.resolve(root, dir)) },
      },
    });
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      expect(await kuzzle.auth.getStrategies()).toContain('passphrase');
      const credentials = { username: 'newcomer', secret: 'a long enough secret' };
      await kuzzle.security.createUser('newcomer', {
        content: { profileIds: ['default'] },
        credentials: { passphrase: credentials },
      });
      const jwt = await kuzzle.auth.login('passphrase', credentials);
      expect(jwt).toMatch(/^kauth-/);
      const me = await kuzzle.auth.getCurrentUser();
      expect(me._id).toBe('newcomer');
      expect(me.content).toMatchObject({ profileIds: ['default'] });
      expect(await kuzzle.auth.getMyCredentials('passphrase')).toEqual({
        username: 'newcomer',
        kuid: 'newcomer',
      });
      await expect(
        kuzzle.auth.login('passphrase', { username: 'newcomer', secret: 'not the secret' }),
      ).rejects.toMatchObject({
        status: 401,
        id: 'plugin.strategy.missing_user',
        message: 'wrong username or secret',
      });
      // The plugin's own error (src/errors.ts), with its own id and code, as kuzzle-sdk receives it.
      await expect(
        kuzzle.security.createUser('copycat', {
          content: { profileIds: ['default'] },
          credentials: { passphrase: credentials },
        }),
      ).rejects.toMatchObject({
        status: 412,
        id: 'plugin.auth-passphrase.username_taken',
        code: ((0x04 << 24) | (errorSubdomainOf('auth-passphrase') << 16) | 0x01) >>> 0,
        message: 'Username "newcomer" is already used.',
      });
    } finally {
      kuzzle.disconnect();
    }
  });

  it('refuses a wrong setting of the built plugin at boot, naming the key its configSchema checks', async () => {
    const dir = path.resolve(root, 'tessera-plugins', 'auth-passphrase');
    await expect(
      startTestKernel({ overrides: { plugins: { paths: [dir], 'auth-passphrase': { scryptCost: 30 } } } }),
    ).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      message:
        'Invalid configuration "plugins.auth-passphrase.scryptCost": expected an integer from 4 to 20, got 30',
    });
  });
});
