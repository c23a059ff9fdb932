/**
 * A crash in the middle of a user creation (issue 12): the real server, as a child process, is killed with
 * SIGKILL once the user document and its local credentials are written and another strategy's credentials are
 * being created. Restarted on the same SQLite file, it has neither user nor credentials of that creation: the
 * id and the username are free, and the same creation succeeds.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../../../..');
const stallPlugin = resolve(__dirname, '../../fixtures/plugins/stall-credentials');
const PASSWORD = 'a long enough password';

interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  /** Resolves once the server logs a line containing `text`. */
  logged(text: string): Promise<string>;
  readonly exited: Promise<unknown>;
}

async function startServer(cwd: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(root, 'apps/server/dist/main.js')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      tessera_server__host: '127.0.0.1',
      tessera_server__port: '0',
      tessera_plugins__paths: JSON.stringify([stallPlugin]),
      // The stalled creation must still be in flight when the test kills the process.
      tessera_plugins__runTimeout: '1h',
    },
  });
  let stdout = '';
  const waiting: { text: string; found: (line: string) => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiting]) {
      const line = stdout.split('\n').find((candidate) => candidate.includes(waiter.text));
      if (line !== undefined) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.found(line);
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((done) => child.once('exit', done));
  const logged = (text: string) =>
    new Promise<string>((found, fail) => {
      const line = stdout.split('\n').find((candidate) => candidate.includes(text));
      if (line !== undefined) return found(line);
      waiting.push({ text, found });
      void exited.then(() => fail(new Error(`the server exited before logging "${text}": ${stderr}`)));
    });
  const ready = JSON.parse(await logged('"tessera is ready"')) as { port: number };
  return { child, url: `http://127.0.0.1:${ready.port}`, logged, exited };
}

function post(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const createAlice = (url: string, stall: boolean) =>
  post(url, '/users/_create?_id=alice', {
    content: { profileIds: ['default'] },
    credentials: { local: { username: 'alice', password: PASSWORD }, stall: { stall } },
  });

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'tessera-sigkill-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

it('leaves no user without credentials, nor credentials without a user, after a SIGKILL mid-creation', async () => {
  const first = await startServer(cwd);
  try {
    // Never answered: the process dies first.
    createAlice(first.url, true).catch(() => undefined);
    await first.logged('credentials creation stalled');
  } finally {
    first.child.kill('SIGKILL');
    await first.exited;
  }

  const second = await startServer(cwd);
  try {
    const user = await fetch(`${second.url}/users/alice`);
    expect(user.status).toBe(404);
    const login = await post(second.url, '/_login/local', { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(401);
    // The id and the username are free again: the same creation goes through.
    const again = await createAlice(second.url, false);
    expect(again.status).toBe(200);
    expect((await post(second.url, '/_login/local', { username: 'alice', password: PASSWORD })).status).toBe(
      200,
    );
  } finally {
    second.child.kill('SIGKILL');
    await second.exited;
  }
});
