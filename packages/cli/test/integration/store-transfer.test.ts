/**
 * Moving a deployment from the embedded SQLite file to PostgreSQL with the built command: `store:export` from a
 * stopped SQLite node, `store:import` into a fresh PostgreSQL database, then a node on that database serves the
 * same users (every one logs in with its local password), profiles, roles and API keys.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtInPlugins, startServer } from '@tessera/server';
import { createSilentLogger } from '@tessera/kernel';
import { createTestDatabase, startTestKernel, type TestDatabase } from '@tessera/testing';

const MAIN = path.resolve(__dirname, '../../dist/main.js');
const USERS = ['ada', 'grace', 'mylehuong'].map((name) => ({ name, password: `${name}'s long password` }));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built command, with the storage settings given and nothing else of the developer's environment. */
function tessera(args: string[], env: Record<string, string>, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

async function call(url: string, body: Record<string, unknown>, jwt?: string) {
  const response = await fetch(`${url}/_query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

let folder: string;
let database: TestDatabase;

beforeEach(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'tessera-transfer-'));
  database = await createTestDatabase();
});
afterEach(async () => {
  rmSync(folder, { recursive: true, force: true });
  await database.drop();
});

it('exports from SQLite, imports into a fresh PostgreSQL database, and every user logs in there', async () => {
  const sqlite = {
    tessera_storage__engine: 'sqlite',
    tessera_storage__sqlite__path: path.join(folder, 'tessera.db'),
  };
  const source = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { storage: { engine: 'sqlite', sqlite: { path: sqlite.tessera_storage__sqlite__path } } },
  });
  let apiKey: string;
  try {
    for (const { name, password } of USERS) {
      const created = await call(source.url, {
        controller: 'security',
        action: 'createUser',
        _id: name,
        body: {
          content: { profileIds: ['default'] },
          credentials: { local: { username: name, password } },
        },
      });
      expect(created.status).toBe(200);
    }
    expect(
      (
        await call(source.url, {
          controller: 'security',
          action: 'createRole',
          _id: 'reader',
          body: { controllers: { auth: { actions: { '*': true } } } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(source.url, {
          controller: 'security',
          action: 'createProfile',
          _id: 'readers',
          body: { policies: [{ roleId: 'reader' }] },
        })
      ).status,
    ).toBe(200);
    const key = await call(source.url, {
      controller: 'security',
      action: 'createApiKey',
      userId: 'ada',
      body: { description: 'ci' },
    });
    expect(key.status).toBe(200);
    apiKey = key.body['result']._source.token as string;
  } finally {
    // The node stops; its file stays for the export (stop() would delete the folder).
    await source.kernel.stop('exporting');
  }

  const exported = await tessera(['store:export'], sqlite, folder);
  expect(exported.code).toBe(0);
  expect(exported.stderr).toMatch(/^exported \d+ collections, \d+ documents\n$/);
  const lines = exported.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines[0]).toEqual({ format: 'tessera-store', version: 1 });
  const refs = lines
    .filter((line) => 'namespace' in line)
    .map((line) => `${String(line['namespace'])}/${String(line['collection'])}`);
  expect(refs).toEqual(
    expect.arrayContaining([
      'kernel/users',
      'kernel/profiles',
      'kernel/roles',
      'plugin:auth-local/credentials',
    ]),
  );
  const dump = path.join(folder, 'store.jsonl');
  writeFileSync(dump, exported.stdout);

  const postgres = { tessera_storage__engine: 'postgres', tessera_storage__postgres__url: database.url };
  const imported = await tessera(['store:import', dump], postgres, folder);
  expect(imported).toMatchObject({ code: 0, stdout: '' });
  expect(imported.stderr).toBe(exported.stderr.replace('exported', 'imported'));

  const target = await startServer({
    env: {},
    cwd: folder,
    log: createSilentLogger(),
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      storage: { engine: 'postgres', postgres: { url: database.url } },
    },
  });
  const url = `http://127.0.0.1:${target.port}`;
  try {
    for (const { name, password } of USERS) {
      const login = await call(url, {
        controller: 'auth',
        action: 'login',
        strategy: 'local',
        body: { username: name, password },
      });
      expect(login.status).toBe(200);
      expect(login.body['result']._id).toBe(name);
    }
    const me = await call(url, { controller: 'auth', action: 'getCurrentUser' }, apiKey);
    expect(me.body['result']?._id).toBe('ada');
    expect(
      (await call(url, { controller: 'security', action: 'getProfile', _id: 'readers' }, apiKey)).body[
        'result'
      ]?._source,
    ).toMatchObject({ policies: [{ roleId: 'reader' }] });
    // Importing again replaces what is there: same counts, nothing doubled.
    expect((await tessera(['store:import', dump], postgres, folder)).stderr).toBe(imported.stderr);
  } finally {
    await target.stop('test finished');
  }
});
