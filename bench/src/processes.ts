/**
 * The processes a figure measures: the real server (`apps/server/dist/main.js`, the same entry as `npm start`)
 * and the bare baselines, each a child process, so that its memory and CPU are its own. Configuration reaches
 * the server only through its documented `tessera_*` environment variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SERVER_ENTRY = join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js');

/** Extra node flags for the server under bench, e.g. `BENCH_SERVER_NODE_ARGS=--cpu-prof` to profile it. */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

export interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Resident memory of the process, in bytes (VmRSS). */
  rss(): number;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** `tessera_*` variables, without the prefix: `{ 'security__login__window': '1s' }`. */
  readonly config?: Readonly<Record<string, string>>;
  /** The SQLite file to serve; a fresh one in a temporary folder when absent. */
  readonly sqlitePath?: string;
  /** Node flags of this server's own, after `BENCH_SERVER_NODE_ARGS`. */
  readonly nodeArgs?: readonly string[];
}

export interface RunningServer extends Child {
  readonly sqlitePath: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const scratchDirs: string[] = [];
process.once('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder (in `parent`, the system's temp folder by default) removed when the bench process exits. */
export function scratchDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `tessera-bench-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** Starts the server as `npm start` does, on 127.0.0.1 and a free port; resolves once `/_ready` answers 200. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = scratchDir('server');
  const sqlitePath = options.sqlitePath ?? join(dir, 'tessera.db');
  const env: NodeJS.ProcessEnv = {};
  // Only what the bench sets: no stray `tessera_*` variable of the caller's shell.
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('tessera_')) env[name] = value;
  const config: Record<string, string> = {
    server__host: '127.0.0.1',
    server__port: String(port),
    storage__sqlite__path: sqlitePath,
    ...options.config,
  };
  for (const [key, value] of Object.entries(config)) env[`tessera_${key}`] = value;
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...(options.nodeArgs ?? []), SERVER_ENTRY], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const running = { ...wrap(child, port), sqlitePath };
  await waitReady(running, 30_000);
  return running;
}

/** Starts `node ...nodeArgs bench/dist/baselines/<name>.js <port>`; resolves once it prints `ready`. */
export async function startBaseline(name: string, nodeArgs: readonly string[] = []): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(__dirname, 'baselines', `${name}.js`), String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((ready, failed) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) ready();
    });
    child.once('exit', (code) => failed(new Error(`baseline ${name} exited (${code}) before it was ready`)));
  });
  return wrap(child, port);
}

/** Polls `GET /_ready` every `intervalMs` until it answers 200. */
export async function waitReady(
  target: { url: string; process: ChildProcess },
  timeoutMs: number,
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (target.process.exitCode !== null) throw new Error(`the server exited (${target.process.exitCode})`);
    try {
      const response = await fetch(`${target.url}/_ready`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(intervalMs);
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms`);
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

function wrap(child: ChildProcess, port: number): Child {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && stderr !== '') process.stderr.write(stderr);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    process: child,
    port,
    url: `http://127.0.0.1:${port}`,
    rss: () => rssOf(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
