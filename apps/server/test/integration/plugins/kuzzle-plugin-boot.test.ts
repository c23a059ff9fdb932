/**
 * How an operator puts a Kuzzle plugin in place of a built-in one (plugins.builtIn), and what of Kuzzle's
 * plugin API stops the boot with a line naming it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeepPartial, TesseraConfig } from '@tessera/kernel';
import { isTesseraError } from '@tessera/plugin-sdk';
import { pluginFormats, startServer } from '@tessera/server';
import { createRecordingLogger, startTestKernel, type LogLine } from '@tessera/testing';

const PASSPORT_LOCAL = dirname(require.resolve('kuzzle-plugin-auth-passport-local/package.json'));
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'plugins');

/** The server as `tessera-server` starts it, on SQLite in a fresh folder: the operator's configuration path. */
async function bootServer(plugins: DeepPartial<TesseraConfig['plugins']>, lines: LogLine[] = []) {
  const folder = mkdtempSync(join(tmpdir(), 'tessera-kuzzle-boot-'));
  const started = startServer({
    env: {},
    cwd: folder,
    log: createRecordingLogger(lines),
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      storage: { engine: 'sqlite', sqlite: { path: join(folder, 'tessera.db') } },
      plugins,
    },
  });
  return started.then(
    (server) => ({
      server,
      stop: async () => {
        await server.stop('test finished');
        rmSync(folder, { recursive: true, force: true });
      },
    }),
    (error: unknown) => {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    },
  );
}

async function bootFailure(paths: string[]): Promise<{ id: string; message: string }> {
  const outcome = await startTestKernel({
    plugins: [],
    pluginFormats: pluginFormats(),
    overrides: { plugins: { paths } },
  }).then(
    async (server) => {
      await server.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
  if (!isTesseraError(outcome)) throw new Error(`expected the boot to fail, got ${String(outcome)}`);
  return outcome;
}

describe('plugins.builtIn', () => {
  it('with [], leaves the local strategy to the Kuzzle plugin listed in plugins.paths', async () => {
    const lines: LogLine[] = [];
    const { stop } = await bootServer({ builtIn: [], paths: [PASSPORT_LOCAL] }, lines);
    await stop();
    expect(lines.map((line) => line.message)).toContain(
      'plugins loaded: kuzzle-plugin-auth-passport-local@6.4.1 (strategies: local)',
    );
  });

  it('by default, keeps auth-local, and the boot names the strategy both plugins claim', async () => {
    const error = await bootServer({ paths: [PASSPORT_LOCAL] }).then(
      async ({ stop }) => {
        await stop();
        return undefined;
      },
      (reason: unknown) => reason as { message: string },
    );
    expect(error?.message).toBe(
      'Something went wrong during initialization of "auth-local" plugin: Cannot remove strategy local: owned by another plugin.',
    );
  });
});

describe('what a Kuzzle plugin may not use', () => {
  it('refuses hooks at boot, naming them and the plugin', async () => {
    const error = await bootFailure([join(FIXTURES, 'kuzzle-with-hooks')]);
    expect(error.id).toBe('plugin.runtime.failed_init');
    expect(error.message).toContain('Kuzzle plugin "kuzzle-with-hooks" uses "hooks"');
    expect(error.message).toContain('"document:afterCreate", "core:kuzzleStart"');
  });

  it('refuses a privileged plugin from its manifest, before its code runs', async () => {
    const error = await bootFailure([join(FIXTURES, 'kuzzle-privileged')]);
    expect(error).toMatchObject({ id: 'plugin.manifest.invalid_field' });
    expect(error.message).toContain('"privileged"');
    expect(error.message).not.toContain('was loaded');
  });
});
