/**
 * Start-up: from spawning `node apps/server/dist/main.js` to `GET /_ready` answering 200, on an embedded SQLite
 * store holding 100,000 users. Baseline: spawning a bare node process that opens the same file with
 * better-sqlite3 and counts the users, to its exit: the part of any start that is not Tessera's (node itself,
 * the native SQLite binding, reading the store), so the ratio shows what Tessera's own boot costs.
 *
 * The store is built once, in process, through the kernel's API for plugins (`ctx.accounts.createUser`, which
 * goes through the kernel's user creation), and kept in the temp folder for later runs.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KERNEL_VERSION, createSilentLogger } from '@tessera/kernel';
import type { PluginContext } from '@tessera/plugin-sdk';
import { startServer as startInProcess } from '@tessera/server';
import type { Mode } from '../mode';
import { REPO_ROOT, scratchDir, startServer } from '../processes';
import { figure, type Figure } from '../report';
import { CACHE_DIR } from '../seeding';
import { median } from '../stats';

const USERS = 100_000;

export async function startUpFigures(mode: Mode): Promise<Figure[]> {
  const repeats = mode.quick ? 3 : 5;
  const { path: store, seededInSeconds } = await seededStore(USERS);

  const serverStarts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    // A copy each time: the server writes to its store, and every start must find the same file.
    const sqlitePath = join(scratchDir('start-up'), 'tessera.db');
    copyFileSync(store, sqlitePath);
    const start = performance.now();
    const server = await startServer({ sqlitePath });
    serverStarts.push(performance.now() - start);
    await server.stop();
  }
  const bareStarts: number[] = [];
  const emptyStarts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const counted = await timeNode(
      `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(store)}, { readonly: true });` +
        `const { n } = db.prepare('SELECT count(*) AS n FROM "kernel/users"').get();` +
        `if (n < ${USERS}) process.exit(1);`,
    );
    bareStarts.push(counted);
    emptyStarts.push(await timeNode(''));
  }
  return [
    figure({
      id: 'start-up',
      label: `Start-up to /_ready, ${USERS.toLocaleString('en')} users in SQLite`,
      unit: 'ms',
      value: median(serverStarts),
      baseline: median(bareStarts),
      baselineLabel: 'node + better-sqlite3 count',
      goal: { on: 'value', op: '<=', limit: 2000 },
      details: {
        repeats,
        users: USERS,
        serverStartsMs: serverStarts.map(Math.round),
        bareStartsMs: bareStarts.map(Math.round),
        emptyNodeStartMs: Math.round(median(emptyStarts)),
        readyPollIntervalMs: 5,
        storeSeededInSeconds: seededInSeconds,
      },
    }),
  ];
}

/** Milliseconds from spawning `node -e <script>` (in the repository, for its modules) to its exit. */
async function timeNode(script: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: 'ignore' });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`node -e exited with ${code}`);
  return performance.now() - start;
}

/** The cached store with `users` users, built when missing; null seconds when it was there already. */
async function seededStore(users: number): Promise<{ path: string; seededInSeconds: number | null }> {
  const path = join(CACHE_DIR, `users-${users}-kernel-${KERNEL_VERSION}.db`);
  if (existsSync(path)) return { path, seededInSeconds: null };
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = scratchDir('seed');
  const building = join(dir, 'tessera.db');
  let context: PluginContext | null = null;
  const started = performance.now();
  const server = await startInProcess({
    env: {},
    cwd: dir,
    log: createSilentLogger(),
    overrides: { server: { port: 0, host: '127.0.0.1' }, storage: { sqlite: { path: building } } },
    plugins: [
      {
        manifest: { name: 'bench-seed', version: '1.0.0', kernel: '*', main: 'none' },
        definition: {
          setup(ctx) {
            context = ctx;
          },
        },
      },
    ],
  });
  try {
    const ctx = context as PluginContext | null;
    if (ctx === null) throw new Error('the seeding plugin was not set up');
    const batch = 200;
    for (let i = 0; i < users; i += batch) {
      const size = Math.min(batch, users - i);
      await Promise.all(
        Array.from({ length: size }, () => ctx.accounts.createUser({ profileIds: ['default'] })),
      );
    }
  } finally {
    // Closing the store checkpoints its write-ahead log into the file.
    await server.stop();
  }
  renameSync(building, path);
  return { path, seededInSeconds: Math.round((performance.now() - started) / 1000) };
}
