/**
 * Real server processes for the cluster tests: the built `apps/server` (`dist/main.js`), each in a folder of
 * its own with a `.tesserarc`, on PostgreSQL (a fresh database per test) and a Redis key prefix of the test's
 * own; and a private `redis-server` a test may stop and start again (never the shared one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mergeOverrides } from '@tessera/testing';

const root = resolve(__dirname, '../../../../..');

export const SHARED_REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ServerProcess {
  readonly port: number;
  /** What the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A fresh prefix for the Redis keys and channels of one test. */
export function testPrefix(): string {
  return `tessera-test:${randomUUID()}:`;
}

export async function startServerProcess(config: Record<string, unknown>): Promise<ServerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'tessera-node-'));
  writeFileSync(
    join(cwd, '.tesserarc'),
    JSON.stringify(
      mergeOverrides({ server: { host: '127.0.0.1', port: 0 }, log: { level: 'info' } }, config),
    ),
  );
  const child = spawn(process.execPath, [join(root, 'apps/server/dist/main.js')], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const cleanup = () => rmSync(cwd, { recursive: true, force: true });
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      const look = () => {
        const line = stdout.split('\n').find((text) => text.includes('"tessera is ready"'));
        if (line) resolvePort((JSON.parse(line) as { port: number }).port);
      };
      child.stdout.on('data', look);
      void exited.then((code) => reject(new Error(`server exited (${code}) before ready: ${stderr}`)));
    });
    return {
      port,
      output: () => ({ stdout, stderr }),
      async stop() {
        child.kill('SIGTERM');
        const code = await exited;
        cleanup();
        return code;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }
}

/** A free TCP port on 127.0.0.1 (free when asked: the caller binds it right away). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export interface PrivateRedis {
  readonly url: string;
  /** Stops the server (its append-only file keeps the data). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  remove(): Promise<void>;
}

/** A redis-server of the test's own, persisting to an append-only file, so a restart keeps the tokens. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-redis-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    await new Promise<void>((ready, reject) => {
      let output = '';
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) ready();
      });
      started.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  };
  const stop = async () => {
    const running = child;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((done) => running.on('exit', done));
    running.kill('SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
