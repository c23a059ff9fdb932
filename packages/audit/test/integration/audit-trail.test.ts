/**
 * The audit trail on a real server: what it records (a failed login with its address and nothing of the
 * password, an administrator's writes with their author), who may search it (administrators only, over the
 * API and `npx tessera`), and its retention, on a clock the test moves.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { createAuditTrail, type AuditTrail } from '@tessera/audit';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const ADMIN_PASSWORD = 'an admin password';
const WRONG_PASSWORD = 'not-the-password-9f2c';
const CLI = path.resolve(__dirname, '../../../cli/dist/main.js');

let server: TestKernel;
let trail: AuditTrail;
let clock: number;
let admin: Kuzzle;

async function client(): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await kuzzle.connect();
  return kuzzle;
}

interface Hit {
  _id: string;
  _source: Record<string, unknown>;
}

async function search(kuzzle: Kuzzle, body: object = {}, args: object = {}) {
  await trail.flush();
  const { result } = await kuzzle.query({
    controller: 'security',
    action: 'searchAuditEvents',
    body,
    ...args,
  });
  return result as { hits: Hit[]; total: number };
}

beforeEach(async () => {
  clock = 1_800_000_000_000;
  trail = createAuditTrail({ enabled: true, retention: 60_000 });
  server = await startTestKernel({ plugins: builtInPlugins(), extensions: [trail], now: () => clock });
  admin = await client();
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'admin', password: ADMIN_PASSWORD } } },
    { reset: true },
  );
  await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
});

afterEach(async () => {
  admin.disconnect();
  await server.stop();
});

describe('the audit trail', () => {
  it('records a failed login with the address, and no password, token or hash anywhere', async () => {
    const stranger = await client();
    await expect(
      stranger.auth.login('local', { username: 'admin', password: WRONG_PASSWORD }),
    ).rejects.toMatchObject({
      status: 401,
    });
    stranger.disconnect();

    const { hits } = await search(admin, { query: { term: { event: 'auth:loginFailed' } } });
    expect(hits.map((hit) => hit._source)).toEqual([
      expect.objectContaining({
        event: 'auth:loginFailed',
        kuid: null,
        strategy: 'local',
        ip: '127.0.0.1',
        reason: 'wrong username or password',
        at: clock,
      }),
    ]);

    const everything = JSON.stringify((await search(admin, {}, { size: 100 })).hits);
    expect(everything).toContain('"event":"auth:login"');
    expect(everything).toContain('"event":"user:created"');
    expect(everything).not.toContain(WRONG_PASSWORD);
    expect(everything).not.toContain(ADMIN_PASSWORD);
    expect(everything).not.toMatch(/kauth-|kapikey-|\$2[aby]\$/);
  });

  it('records who created, changed and deleted a profile and a user, newest first', async () => {
    clock += 1;
    const start = clock;
    await admin.security.createProfile('editors', { policies: [{ roleId: 'default' }] });
    clock += 1;
    await admin.security.updateProfile('editors', { policies: [{ roleId: 'admin' }] });
    clock += 1;
    await admin.security.createUser('bob', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'bob', password: 'bob password' } },
    });
    clock += 1;
    await admin.security.updateUser('bob', { profileIds: ['editors'] });
    clock += 1;
    await admin.security.deleteUser('bob');

    const { hits } = await search(admin, {
      query: { bool: { filter: [{ term: { author: 'admin' } }, { range: { at: { gte: start } } }] } },
    });
    // Newest first; what happens at the same instant (a user and their credentials) comes in either order.
    const events = hits.map(
      ({ _source }) => `${_source.event as string} ${(_source.kuid ?? _source.target) as string}`,
    );
    expect([new Set(events.slice(0, 2)), events[2], new Set(events.slice(3, 5)), events.slice(5)]).toEqual([
      new Set(['user:deleted bob', 'credentials:deleted bob']),
      'user:updated bob',
      new Set(['credentials:created bob', 'user:created bob']),
      ['profile:updated editors', 'profile:created editors'],
    ]);
    expect(hits[2]!._source).toMatchObject({ profileIds: ['editors'], action: 'security:updateUser' });
  });

  it("records an administrator's security:createUser, revokeTokens and deleteUser with the admin as author", async () => {
    await admin.query({
      controller: 'security',
      action: 'createUser',
      _id: 'bob',
      body: {
        content: { profileIds: ['default'] },
        credentials: { local: { username: 'bob', password: 'bob password' } },
      },
    });
    const bob = await client();
    await bob.auth.login('local', { username: 'bob', password: 'bob password' });
    await admin.query({ controller: 'security', action: 'revokeTokens', _id: 'bob' });
    await bob.auth.login('local', { username: 'bob', password: 'bob password' });
    bob.disconnect();
    await admin.security.deleteUser('bob');

    const { hits } = await search(admin, { query: { term: { kuid: 'bob' } } }, { size: 100 });
    const byAdmin = hits
      .map((hit) => hit._source)
      .filter((event) => event.author === 'admin')
      .map((event) => `${event.event as string}${event.reason ? ` ${event.reason as string}` : ''}`);
    expect(byAdmin.sort()).toEqual(
      [
        'user:created',
        'credentials:created',
        'token:revoked revoke-tokens',
        'user:tokensRevoked',
        'token:revoked user-deleted',
        'credentials:deleted',
        'user:deleted',
      ].sort(),
    );
    // What bob did himself stays his.
    expect(hits.filter((hit) => hit._source.event === 'auth:login').map((hit) => hit._source.author)).toEqual(
      ['bob', 'bob'],
    );
  });

  it('records a logout and the revocation of the token, with the reason', async () => {
    const bob = await client();
    await admin.security.createUser('bob', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'bob', password: 'bob password' } },
    });
    await bob.auth.login('local', { username: 'bob', password: 'bob password' });
    await bob.auth.logout();
    bob.disconnect();
    const { hits } = await search(admin, { query: { term: { kuid: 'bob' } } }, { size: 100 });
    const events = hits.map(
      ({ _source }) => `${_source.event as string}${_source.reason ? ` ${_source.reason as string}` : ''}`,
    );
    expect(events).toEqual(expect.arrayContaining(['auth:login', 'auth:logout', 'token:revoked logout']));
    // A logout is the user's own doing, the revocation it brings too.
    expect(hits.find((hit) => hit._source.event === 'token:revoked')?._source.author).toBe('bob');
  });

  it('is searched by administrators only', async () => {
    await admin.security.createUser('bob', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'bob', password: 'bob password' } },
    });
    const bob = await client();
    await bob.auth.login('local', { username: 'bob', password: 'bob password' });
    await expect(search(bob)).rejects.toMatchObject({ status: 403, id: 'security.rights.forbidden' });
    bob.disconnect();
    const anonymous = await client();
    await expect(search(anonymous)).rejects.toMatchObject({ status: 401 });
    anonymous.disconnect();
  });

  it('is searched with npx tessera, as any action', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'tessera-audit-'));
    try {
      const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          const child = execFile(
            process.execPath,
            [
              CLI,
              'security:searchAuditEvents',
              '{ query: { term: { event: "auth:login" } } }',
              '--username',
              'admin',
              '--password',
              ADMIN_PASSWORD,
              '--host',
              '127.0.0.1',
              '--port',
              String(server.port),
              '--json',
            ],
            { env: { PATH: process.env.PATH, XDG_CONFIG_HOME: home }, timeout: 20_000 },
            (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
          );
        },
      );
      expect(outcome).toMatchObject({ code: 0, stderr: '' });
      const { hits } = JSON.parse(outcome.stdout) as { hits: Hit[] };
      expect(hits.length).toBeGreaterThanOrEqual(1);
      expect(hits.every((hit) => hit._source.event === 'auth:login' && hit._source.kuid === 'admin')).toBe(
        true,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('forgets events older than the retention', async () => {
    await admin.security.createProfile('old', { policies: [{ roleId: 'default' }] });
    await trail.flush();
    clock += 60_001;
    await admin.security.createProfile('recent', { policies: [{ roleId: 'default' }] });
    await trail.flush();
    expect(await trail.prune()).toBeGreaterThanOrEqual(2);
    const { hits } = await search(admin, {}, { size: 100 });
    expect(hits.map((hit) => hit._source.target ?? hit._source.event)).toEqual(['recent']);
  });
});
