/**
 * `tessera login` / `tessera logout` against a real server: one login for many commands, a token file only its
 * owner may read, a revoked or expired saved token forgotten with a clear line, and a throttled login that says
 * when to retry.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { TESSERA_MAIN, cleanEnv, runCommand, type Outcome } from '../fixtures/run-command';

const ADMIN = '{ content: {}, credentials: { local: { username: "admin", password: "change-me-now" } } }';

let server: TestKernel;
let home: string;

function tessera(...args: string[]): Promise<Outcome> {
  return runCommand(
    process.execPath,
    [TESSERA_MAIN, ...args, '--host', '127.0.0.1', '--port', String(server.port)],
    { env: cleanEnv({ XDG_CONFIG_HOME: home }), timeout: 20_000 },
  );
}

const sessionFile = () => path.join(home, 'tessera', 'sessions.json');
const savedSessions = () =>
  JSON.parse(readFileSync(sessionFile(), 'utf8')) as Record<string, { jwt: string }>;

beforeEach(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'tessera-login-'));
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { security: { login: { attemptsPerUsername: 2, attemptsPerAddress: 0 } } },
  });
  const created = await tessera('security:createFirstAdmin', ADMIN, '--id', 'admin');
  expect(created.code).toBe(0);
});
afterEach(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('tessera login', () => {
  it('logs in once for many commands, past the per-username login budget', async () => {
    expect(await tessera('login', '--username', 'admin', '--password', 'change-me-now')).toMatchObject({
      code: 0,
      stderr: '',
    });
    for (let i = 0; i < 4; i++) {
      const me = await tessera('auth:getCurrentUser', '--json');
      expect(me).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(me.stdout)).toMatchObject({ _id: 'admin' });
    }
    expect(Object.keys(savedSessions())).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('refuses a login past the budget with the window and the delay before a retry', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await tessera('login', '--username', 'admin', '--password', 'wrong')).code).toBe(1);
    }
    const refused = await tessera('login', '--username', 'admin', '--password', 'change-me-now');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(
      /^tessera: api\.process\.too_many_logins_requests: Rejected: too many login attempts for this username \(at most 2 per minute\); retry in \d+ seconds\.\n$/,
    );
  });

  it('logout revokes the token on the server and forgets it', async () => {
    await tessera('login', '--username', 'admin', '--password', 'change-me-now');
    const { jwt } = savedSessions()[`127.0.0.1:${server.port}`]!;
    expect(await tessera('logout')).toMatchObject({
      code: 0,
      stdout: `Logged out of 127.0.0.1:${server.port}\n`,
    });
    expect(savedSessions()).toEqual({});
    const withOldToken = await tessera('auth:checkToken', `{ token: "${jwt}" }`, '--json');
    expect(JSON.parse(withOldToken.stdout)).toMatchObject({ valid: false });
    expect(await tessera('logout')).toMatchObject({
      code: 0,
      stdout: `No session saved for 127.0.0.1:${server.port}\n`,
    });
  });

  it('forgets a saved token the server refuses, once, with a line saying so', async () => {
    await tessera('login', '--username', 'admin', '--password', 'change-me-now');
    expect((await tessera('security:revokeTokens', '--id', 'admin')).code).toBe(0);
    const refused = await tessera('auth:getCurrentUser');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^tessera: security\.token\.\w+: .*\(the token saved by "tessera login" is forgotten: log in again\)\n$/,
    );
    expect(savedSessions()).toEqual({});
  });

  it('forgets an expired saved token and says so rather than running as anonymous', async () => {
    await tessera('login', '--username', 'admin', '--password', 'change-me-now');
    const sessions = savedSessions();
    const key = `127.0.0.1:${server.port}`;
    writeFileSync(sessionFile(), JSON.stringify({ [key]: { ...sessions[key], expiresAt: 1000 } }), {
      mode: 0o600,
    });
    const refused = await tessera('server:now');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(
      /^tessera: the session of "tessera login" on 127\.0\.0\.1:\d+ expired at 1970-01-01T00:00:01\.000Z; log in again/,
    );
    expect(savedSessions()).toEqual({});
    expect((await tessera('server:now')).code).toBe(0);
  });

  it('refuses a token file others may read', async () => {
    await tessera('login', '--username', 'admin', '--password', 'change-me-now');
    chmodSync(sessionFile(), 0o644);
    const refused = await tessera('auth:getCurrentUser');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      `tessera: ${sessionFile()} holds tokens and others may read it: chmod 600 it, or delete it\n`,
    );
  });

  it('needs a username and a password', async () => {
    expect(await tessera('login', '--username', 'admin')).toMatchObject({
      code: 1,
      stderr: 'tessera: --username and --password go together\n',
    });
    expect(await tessera('login')).toMatchObject({
      code: 1,
      stderr:
        'tessera: tessera login needs --username and --password (or TESSERA_USERNAME and TESSERA_PASSWORD)\n',
    });
  });
});
