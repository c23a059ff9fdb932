/**
 * Boot and shutdown as an operator sees them: the built server started as a child process, plugins refused
 * before their code runs, in-flight requests finished on stop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { definePlugin } from '@tessera/plugin-sdk';
import { startTestKernel } from '@tessera/testing';

const root = resolve(__dirname, '../../../..');
const fixtures = join(root, 'packages/kernel/test/fixtures/plugins');

function runServer(env: Record<string, string>, nodeArgs: readonly string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), 'tessera-main-'));
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'apps/server/dist/main.js')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      tessera_server__host: '127.0.0.1',
      tessera_server__port: '0',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const ready = async (): Promise<number> => {
    for (let waited = 0; waited < 15_000; waited += 50) {
      const line = stdout.split('\n').find((text) => text.includes('"tessera is ready"'));
      if (line) return (JSON.parse(line) as { port: number }).port;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`server did not become ready: ${stdout} ${stderr}`);
  };
  return {
    child,
    exited,
    ready,
    output: () => ({ stdout, stderr }),
    cleanup: () => rmSync(cwd, { recursive: true, force: true }),
  };
}

describe('the server process', () => {
  it('starts on the embedded store, serves, and exits 0 on SIGTERM', async () => {
    const server = runServer({});
    try {
      const port = await server.ready();
      const health = await fetch(`http://127.0.0.1:${port}/_healthcheck`);
      expect(health.status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output().stdout).toContain('"tessera is shutting down"');
    } finally {
      server.child.kill('SIGKILL');
      server.cleanup();
    }
  });

  it("loads the driver of the configured engine alone: none on the embedded store, pg's on PostgreSQL", async () => {
    const reportDrivers = ['--require', join(__dirname, '../fixtures/report-drivers.js')];
    const embedded = runServer({}, reportDrivers);
    try {
      await embedded.ready();
      embedded.child.kill('SIGTERM');
      expect(await embedded.exited).toBe(0);
      expect(embedded.output().stdout).toContain('drivers loaded: []');
    } finally {
      embedded.child.kill('SIGKILL');
      embedded.cleanup();
    }
    // Nothing listens on port 1: the start fails once the adapter has tried to connect, its driver loaded.
    const postgres = runServer(
      {
        tessera_storage__engine: 'postgres',
        tessera_storage__postgres__url: 'postgres://nobody@127.0.0.1:1/none',
      },
      reportDrivers,
    );
    try {
      expect(await postgres.exited).toBe(1);
      expect(postgres.output().stdout).toContain('drivers loaded: ["pg"]');
    } finally {
      postgres.cleanup();
    }
  });

  it('refuses a wrong configuration key with one line naming it, and exits 1', async () => {
    const server = runServer({ tessera_server__port: 'not-a-port' });
    try {
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toMatch(/core\.config\.invalid_value: .*"server\.port"/);
    } finally {
      server.cleanup();
    }
  });

  it("refuses a wrong plugin setting before the plugin's setup, in one line naming the plugin and the key", async () => {
    const server = runServer({ 'tessera_plugins__auth-local__bcryptCost': '3' });
    try {
      expect(await server.exited).toBe(1);
      const { stdout, stderr } = server.output();
      expect(stderr.trim().split('\n')).toEqual([
        'tessera: cannot start: core.config.invalid_value: Invalid configuration "plugins.auth-local.bcryptCost": expected an integer from 4 to 15, got 3',
      ]);
      expect(stdout).not.toContain('"tessera is ready"');
    } finally {
      server.cleanup();
    }
  });

  it('refuses a plugin with a malformed manifest, naming the plugin and the field, and exits 1', async () => {
    const server = runServer({
      tessera_plugins__paths: JSON.stringify([join(fixtures, 'bad-manifest-kernel-invalid')]),
    });
    try {
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toMatch(
        /plugin\.manifest\.invalid_field: .*bad-manifest-kernel-invalid.*"kernel"/,
      );
    } finally {
      server.cleanup();
    }
  });
});

describe('graceful stop', () => {
  it('finishes the requests in flight and refuses new ones', async () => {
    let entered!: () => void;
    const inAction = new Promise<void>((done) => (entered = done));
    const slowClock = definePlugin({
      setup(ctx) {
        ctx.bus.pipe('server:beforeNow', async (request) => {
          entered();
          await new Promise((done) => setTimeout(done, 300));
          return request;
        });
      },
    });
    const server = await startTestKernel({
      plugins: [
        {
          manifest: { name: 'slow-clock', version: '1.0.0', kernel: '*', main: 'index.js' },
          definition: slowClock,
        },
      ],
    });
    const pending = fetch(`${server.url}/_now`).then(
      (response) => response.json() as Promise<Record<string, any>>,
    );
    await inAction;
    const stopping = server.stop();
    const answer = await pending;
    await stopping;
    expect(answer).toMatchObject({ status: 200, error: null });
    await expect(fetch(`${server.url}/_now`)).rejects.toThrow();
  });
});
