/**
 * The README's first steps, followed as a newcomer would: the quick start's curl calls (the first admin, a
 * login, a request with the token), then every line of the "Command line" block exactly as written, with
 * `npx tessera`, against a server with the default login throttle. Only the address differs: the curl lines
 * get this test server's port, the CLI gets it from TESSERA_HOST/TESSERA_PORT, as the README says it may.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { cleanEnv, runCommand, type Outcome } from '../fixtures/run-command';

const REPO = path.resolve(__dirname, '../../../..');
const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The first ```sh block after `heading` (a line of the README) holding `containing`, as lines (a line ending
 * in "\" joined to the next). */
function shellBlock(heading: string, containing: string): string[] {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section in the README`);
  const blocks = README.slice(start).matchAll(/```sh\n([\s\S]*?)\n```/g);
  for (const [, body] of blocks) {
    if (body?.includes(containing)) return body.replace(/\\\n\s*/g, '').split('\n');
  }
  throw new Error(`no sh block with "${containing}" under "${heading}"`);
}

let server: TestKernel;
let home: string;
let env: NodeJS.ProcessEnv;

function sh(line: string): Promise<Outcome> {
  return runCommand('sh', ['-e', '-c', line], { cwd: REPO, env, timeout: 60_000 });
}

beforeAll(async () => {
  server = await startTestKernel({ plugins: builtInPlugins() });
  home = mkdtempSync(path.join(tmpdir(), 'tessera-readme-'));
  // The developer's own TESSERA_* settings and sessions stay out; the README's variables point at this server.
  env = cleanEnv({ XDG_CONFIG_HOME: home, TESSERA_HOST: '127.0.0.1', TESSERA_PORT: String(server.port) });
});

afterAll(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("the README's quick start, then its command-line block, as written", () => {
  const quickStart = shellBlock('## Run it', '_createFirstAdmin');
  const commands = shellBlock('## Command line', 'npx tessera');

  it('creates the first admin and logs in with curl', async () => {
    expect(quickStart).toHaveLength(2);
    for (const line of quickStart) {
      const outcome = await sh(line.replaceAll('localhost:7512', `127.0.0.1:${server.port}`));
      expect(outcome.code).toBe(0);
      expect(JSON.parse(outcome.stdout)).toMatchObject({ status: 200, error: null });
    }
  });

  it('reads who the token belongs to with curl, as the quick start shows', async () => {
    const block = shellBlock('## Run it', '/_me').join('\n');
    const outcome = await sh(block.replaceAll('localhost:7512', `127.0.0.1:${server.port}`));
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toMatchObject({
      status: 200,
      result: { _id: 'admin', _source: { profileIds: ['admin'] } },
    });
  });

  it('runs every command of the block, logging in once, with no 401 or 429', async () => {
    const [login, createUser, getCredentials, userLogin, asUser, subscribe, ...rest] = commands;
    expect(rest).toEqual([]);

    const loggedIn = await sh(login!);
    expect(loggedIn).toMatchObject({ code: 0, stderr: '' });
    expect(loggedIn.stdout).toMatch(/^Logged in to 127\.0\.0\.1:\d+ as admin until /);
    const sessionFile = path.join(home, 'tessera', 'sessions.json');
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(sessionFile)).mode & 0o777).toBe(0o700);

    const created = await sh(createUser!);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ _id: 'mylehuong' });

    const credentials = await sh(getCredentials!);
    expect(credentials).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(credentials.stdout)).toMatchObject({ username: 'mylehuong', kuid: 'mylehuong' });

    const signedIn = await sh(userLogin!);
    expect(signedIn).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(signedIn.stdout)).toMatchObject({ _id: 'mylehuong', jwt: expect.any(String) });

    const me = await sh(asUser!);
    expect(me).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(me.stdout)).toMatchObject({ _id: 'mylehuong' });

    // The subscription runs until Ctrl-C, whose SIGINT goes to the terminal's foreground process group. An
    // interactive shell runs the command as that group; `exec` makes this one the same (`sh -c` would die of it).
    const child = spawn('sh', ['-e', '-c', `exec ${subscribe!}`], { cwd: REPO, env, detached: true });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
    );
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const waitFor = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        const poll = () => (check() || child.exitCode !== null ? resolve() : setTimeout(poll, 20));
        poll();
      });
    await waitFor(() => stderr.includes('subscribed'));
    expect(stderr).toContain('subscribed to %auth/events');

    // "run the auth:login line again in a second terminal to see one"
    expect((await sh(userLogin!)).code).toBe(0);
    await waitFor(() => stdout.includes('\n'));
    process.kill(-child.pid!, 'SIGINT');
    // npx itself dies of the signal (a shell shows status 130), as for any command it runs; tessera stops cleanly.
    expect(['exit 0', 'SIGINT']).toContain(await exited);
    expect(stderr).not.toMatch(/error/i);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { result: { _source: unknown } });
    expect(events.map((event) => event.result._source)).toEqual([
      expect.objectContaining({ event: 'auth:login', kuid: 'mylehuong' }),
    ]);
  }, 120_000);
});
