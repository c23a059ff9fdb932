/**
 * Faults of the embedded store (issue 12): while another process holds the SQLite file's write lock, requests
 * that write answer 503 `services.storage.not_connected` (retryable, no engine message, no stack), reads go on,
 * and once the lock is gone the same server serves writes again, without a restart.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { postJson } from '../wire';

const holdWriteLock = resolve(__dirname, '../../fixtures/hold-write-lock.js');

let server: TestKernel;

beforeEach(async () => {
  // A short busy timeout: the point is what the client gets once the wait is over, not how long it waits.
  server = await startTestKernel({
    plugins: builtInPlugins(),
    // A fault of the SQLite file: on SQLite, whichever engine the rest of the suite runs on.
    overrides: { storage: { engine: 'sqlite', sqlite: { busyTimeout: 20 } } },
  });
});

afterEach(async () => {
  await server.stop();
});

/** Starts a process that holds the write lock of `file`; resolves once it holds it. */
async function lockFile(file: string): Promise<{ release: () => Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [holdWriteLock, file]);
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) done();
    });
    child.once('exit', (code) => fail(new Error(`the lock holder exited with ${code}`)));
  });
  return {
    release: async () => {
      child.stdin.end();
      expect(await exited).toBe(0);
    },
  };
}

function query(body: Record<string, unknown>) {
  return postJson(server.url, '/_query', JSON.stringify(body));
}

function createUser(id: string) {
  return query({
    controller: 'security',
    action: 'createUser',
    _id: id,
    body: {
      content: { profileIds: ['default'] },
      credentials: { local: { username: id, password: 'a long enough password' } },
    },
  });
}

function login(username: string) {
  return postJson(
    server.url,
    '/_login/local',
    JSON.stringify({ username, password: 'a long enough password' }),
  );
}

it('answers 503 not_connected to writes while the file is locked, serves reads, and recovers by itself', async () => {
  expect((await createUser('before')).status).toBe(200);
  const lock = await lockFile(join(server.dataDir, 'tessera.db'));
  try {
    const refused = await createUser('during');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toEqual({
      status: 503,
      id: 'services.storage.not_connected',
      code: 0x01010018,
      message: 'Storage service is not connected.',
      props: [],
    });
    expect(refused.text).not.toMatch(/locked|SQLITE|stack|\bat /);
    // A login must issue a token, which is a write: refused the same way, never a token that was not stored.
    const loginRefused = await login('before');
    expect(loginRefused.status).toBe(503);
    expect(loginRefused.json.result).toBeNull();
    // WAL mode: readers are not blocked by another process's write lock.
    const read = await query({ controller: 'security', action: 'getUser', _id: 'before' });
    expect(read.status).toBe(200);
    expect((await fetch(`${server.url}/_healthcheck`)).status).toBe(200);
  } finally {
    await lock.release();
  }
  // Same process, same open database: nothing was half-written by the refused calls.
  expect((await createUser('during')).status).toBe(200);
  expect((await login('during')).status).toBe(200);
  expect((await login('before')).status).toBe(200);
});

it('survives the lock coming and going several times', async () => {
  for (const round of [1, 2]) {
    const lock = await lockFile(join(server.dataDir, 'tessera.db'));
    try {
      expect((await createUser(`refused-${round}`)).status).toBe(503);
    } finally {
      await lock.release();
    }
    expect((await createUser(`refused-${round}`)).status).toBe(200);
  }
});
