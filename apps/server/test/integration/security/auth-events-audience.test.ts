/**
 * Issue 12, item 4: who hears `%auth/events` is decided by rights, at each delivery, against who the connection is
 * at that moment. Each scenario changes the identity or the rights behind a subscribed socket, makes an event that
 * must no longer reach it (X), then one that must (Y), and checks X never arrived before Y: deliveries leave in
 * order, so X would have come first. Driven with kuzzle-sdk and with raw WebSocket frames.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { openRawSocket } from '../wire';

const PASSWORD = 'a long enough passphrase';
const LOGINS = { equals: { event: 'auth:login' } };
/** The right an operator grants to hear every user's auth events. */
const WATCH_ALL = { controller: 'security', action: 'watchAllAuthEvents' };

let server: TestKernel;
/** The operator, logged in over HTTP as the first admin. */
let ops: Kuzzle;
let clients: { disconnect(): void }[] = [];

/** `withAuditor`: also the role `auditor`, which grants the right, its profile and its user `auditor`. */
async function start({ withAuditor = false } = {}): Promise<void> {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } } },
  });
  ops = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await ops.connect();
  clients.push(ops);
  await ops.security.createFirstAdmin(
    'boss',
    { content: {}, credentials: { local: { username: 'boss', password: PASSWORD } } },
    { reset: true },
  );
  await ops.auth.login('local', { username: 'boss', password: PASSWORD });
  // What `realtime:list` needs beside the default role's realtime actions; no right to others' events.
  await ops.security.createRole('listener', {
    controllers: { realtime: { actions: { subscribe: true, count: true, join: true, list: true } } },
  });
  await ops.security.createProfile('listener', { policies: [{ roleId: 'listener' }] });
  const users: [string, string, string][] = [
    ['mylehuong', 'my', 'default'],
    ['other', 'other', 'default'],
    ['boss2', 'boss2', 'admin'],
    ['lister', 'lister', 'listener'],
  ];
  if (withAuditor) {
    await ops.security.createRole('auditor', {
      controllers: {
        realtime: { actions: { subscribe: true } },
        security: { actions: { watchAllAuthEvents: true } },
      },
    });
    await ops.security.createProfile('auditor', { policies: [{ roleId: 'auditor' }] });
    users.push(['auditor', 'auditor', 'auditor']);
  }
  for (const [kuid, username, profile] of users) {
    await ops.security.createUser(kuid, {
      content: { profileIds: [profile] },
      credentials: { local: { username, password: PASSWORD } },
    });
  }
}

afterEach(async () => {
  for (const client of clients) client.disconnect();
  clients = [];
  await server.stop();
});

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** Logs `username` in over HTTP, which announces `auth:login` (or `auth:loginFailed`) on `%auth`. */
async function loginOverHttp(username: string, password = PASSWORD): Promise<string | null> {
  const http = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await http.connect();
  try {
    return await http.auth.login('local', { username, password });
  } catch {
    return null;
  } finally {
    http.disconnect();
  }
}

/** A kuzzle-sdk WebSocket client logged in as `username`, subscribed to `%auth/events`: what it heard, in order. */
async function sdkWatcher(username: string, filters: object = LOGINS) {
  const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
  await kuzzle.connect();
  clients.push(kuzzle);
  await kuzzle.auth.login('local', { username, password: PASSWORD });
  const heard: string[] = [];
  const roomId = await kuzzle.realtime.subscribe('%auth', 'events', filters, (notification: any) => {
    const { event, kuid } = notification.result._source;
    heard.push(`${event} ${kuid}`);
  });
  return { kuzzle, heard, roomId };
}

/** A raw WebSocket client, with what these tests do through it and what it heard. */
async function rawClient() {
  const { socket, frames, query } = await openRawSocket(server.port);
  clients.push({ disconnect: () => socket.close() });
  const login = async (username: string): Promise<string> =>
    (
      await query({
        controller: 'auth',
        action: 'login',
        strategy: 'local',
        body: { username, password: PASSWORD },
      })
    ).result.jwt;
  const subscribe = async (jwt: string): Promise<string> => {
    const answer = await query({
      controller: 'realtime',
      action: 'subscribe',
      index: '%auth',
      collection: 'events',
      body: LOGINS,
      jwt,
    });
    expect(answer.status).toBe(200);
    return answer.result.roomId;
  };
  /** `"<event> <kuid>"` of each auth event heard, or `"TokenExpired <reason>"`. */
  const heard = () =>
    frames.flatMap((frame) =>
      frame.type === 'document'
        ? [`${frame.result._source.event} ${frame.result._source.kuid}`]
        : frame.type === 'TokenExpired'
          ? [`TokenExpired ${frame.reason}`]
          : [],
    );
  return { query, login, subscribe, heard };
}

/** What was heard after the `from`th entry. */
const after = (heard: readonly string[], from: number) => heard.slice(from);

describe('%auth/events: the audience follows the connection`s identity', () => {
  it('stops every other user`s events once the socket logs out (kuzzle-sdk)', async () => {
    await start();
    const boss = await sdkWatcher('boss');
    await loginOverHttp('other');
    await until(() => boss.heard.includes('auth:login other'));
    const mark = boss.heard.length;

    await boss.kuzzle.auth.logout();
    await loginOverHttp('other'); // X
    await boss.kuzzle.auth.login('local', { username: 'my', password: PASSWORD }); // Y: its own
    await until(() => after(boss.heard, mark).includes('auth:login mylehuong'));

    expect(after(boss.heard, mark)).toEqual(['auth:login mylehuong']);
  });

  it('stops them once another user logs in on the socket (kuzzle-sdk)', async () => {
    await start();
    const boss = await sdkWatcher('boss');
    await loginOverHttp('other');
    await until(() => boss.heard.includes('auth:login other'));

    await boss.kuzzle.auth.login('local', { username: 'my', password: PASSWORD });
    const mark = boss.heard.length;
    await loginOverHttp('other'); // X
    await loginOverHttp('my'); // Y
    await until(() => after(boss.heard, mark).includes('auth:login mylehuong'));

    expect(after(boss.heard, mark)).toEqual(['auth:login mylehuong']);
  });

  it('stops them once a request on the socket carries another user`s token (raw frames)', async () => {
    await start();
    const client = await rawClient();
    const bossJwt = await client.login('boss');
    await client.subscribe(bossJwt);
    const myJwt = await loginOverHttp('my');
    await loginOverHttp('other');
    await until(() => client.heard().includes('auth:login other'));

    await client.query({ controller: 'server', action: 'now', jwt: myJwt });
    const mark = client.heard().length;
    await loginOverHttp('other'); // X
    await loginOverHttp('my'); // Y
    await until(() => after(client.heard(), mark).includes('auth:login mylehuong'));

    expect(after(client.heard(), mark)).toEqual(['auth:login mylehuong']);
  });

  it('ends with the token: revoked elsewhere, the socket hears TokenExpired and nothing more of others', async () => {
    await start();
    const client = await rawClient();
    const bossJwt = await client.login('boss');
    await client.subscribe(bossJwt);
    await loginOverHttp('other');
    await until(() => client.heard().includes('auth:login other'));
    const mark = client.heard().length;

    const elsewhere = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await elsewhere.connect();
    clients.push(elsewhere);
    elsewhere.jwt = bossJwt;
    await elsewhere.auth.logout();
    await until(() => after(client.heard(), mark).includes('TokenExpired revoked'));
    await loginOverHttp('other'); // X
    await client.subscribe(await client.login('my'));
    await loginOverHttp('my'); // Y
    await until(() => after(client.heard(), mark).includes('auth:login mylehuong'));

    expect(after(client.heard(), mark)).toEqual(['TokenExpired revoked', 'auth:login mylehuong']);
  });

  it('keeps the audience of the same user across a refresh, and follows a refresh to another user', async () => {
    await start();
    const boss = await sdkWatcher('boss');
    await boss.kuzzle.auth.refreshToken();
    await loginOverHttp('other');
    await until(() => boss.heard.includes('auth:login other'));

    const client = await rawClient();
    await client.subscribe(await client.login('boss'));
    const myJwt = await loginOverHttp('my');
    const refreshed = await client.query({ controller: 'auth', action: 'refreshToken', jwt: myJwt });
    expect(refreshed.result._id).toBe('mylehuong');
    const mark = client.heard().length;
    await loginOverHttp('other'); // X
    await loginOverHttp('my'); // Y
    await until(() => after(client.heard(), mark).includes('auth:login mylehuong'));

    expect(after(client.heard(), mark)).toEqual(['auth:login mylehuong']);
  });
});

describe('%auth/events: the audience follows the rights', () => {
  it('stops every other user`s events once the user is demoted (security:updateUser)', async () => {
    await start();
    const boss2 = await sdkWatcher('boss2');
    await loginOverHttp('other');
    await until(() => boss2.heard.includes('auth:login other'));
    const mark = boss2.heard.length;

    await ops.security.updateUser('boss2', { profileIds: ['default'] });
    await loginOverHttp('other'); // X
    await loginOverHttp('boss2'); // Y: its own
    await until(() => after(boss2.heard, mark).includes('auth:login boss2'));

    expect(after(boss2.heard, mark)).toEqual(['auth:login boss2']);
  });

  it('stops them once the right leaves the role, and again once the role leaves the profile', async () => {
    await start({ withAuditor: true });
    const auditor = await sdkWatcher('auditor');
    await loginOverHttp('other');
    await until(() => auditor.heard.includes('auth:login other'));
    let mark = auditor.heard.length;

    await ops.security.updateRole('auditor', { controllers: { realtime: { actions: { subscribe: true } } } });
    await loginOverHttp('other'); // X
    await loginOverHttp('auditor'); // Y
    await until(() => after(auditor.heard, mark).includes('auth:login auditor'));
    expect(after(auditor.heard, mark)).toEqual(['auth:login auditor']);

    // The right back in the role: heard again; then the profile loses the role.
    await ops.security.updateRole('auditor', {
      controllers: {
        realtime: { actions: { subscribe: true } },
        security: { actions: { watchAllAuthEvents: true } },
      },
    });
    await loginOverHttp('other');
    await until(() => after(auditor.heard, mark).includes('auth:login other'));
    mark = auditor.heard.length;
    await ops.security.updateProfile('auditor', { policies: [{ roleId: 'default' }] });
    await loginOverHttp('other'); // X
    await loginOverHttp('auditor'); // Y
    await until(() => after(auditor.heard, mark).includes('auth:login auditor'));

    expect(after(auditor.heard, mark)).toEqual(['auth:login auditor']);
  });

  it('lets an operator grant the right in a role: its holder hears everyone, failed logins included', async () => {
    await start({ withAuditor: true });
    const filters = { in: { event: ['auth:login', 'auth:loginFailed'] } };
    const my = await sdkWatcher('my', filters);
    const auditor = await sdkWatcher('auditor', filters);

    await loginOverHttp('other');
    await loginOverHttp('other', 'a wrong password');
    await loginOverHttp('my'); // the last event, which both hear
    await until(
      () => auditor.heard.includes('auth:login mylehuong') && my.heard.includes('auth:login mylehuong'),
    );

    expect(auditor.heard).toEqual(['auth:login other', 'auth:loginFailed null', 'auth:login mylehuong']);
    expect(my.heard).toEqual(['auth:login mylehuong']);
    expect(await ops.security.checkRights('auditor', WATCH_ALL)).toBe(true);
    expect(await my.kuzzle.auth.checkRights(WATCH_ALL)).toBe(false);
    expect(await ops.auth.checkRights(WATCH_ALL)).toBe(true);
    // A right, not an action: nothing to call.
    await expect(auditor.kuzzle.query(WATCH_ALL)).rejects.toMatchObject({
      id: 'api.process.action_not_found',
    });
  });
});

describe('%auth/events: count, list and join tell a user only about themselves', () => {
  it('counts and lists only the caller`s own listeners, and hides rooms where they have none', async () => {
    await start();
    const boss = await sdkWatcher('boss', {});
    const lister = await sdkWatcher('lister', {});
    const my = await sdkWatcher('my', {});
    const bossOnly = await boss.kuzzle.realtime.subscribe(
      '%auth',
      'events',
      { equals: { kuid: 'x' } },
      () => {},
    );

    expect(new Set([boss.roomId, lister.roomId, my.roomId]).size).toBe(1);
    expect(await boss.kuzzle.realtime.count(boss.roomId)).toBe(3);
    expect(await my.kuzzle.realtime.count(my.roomId)).toBe(1);
    await expect(my.kuzzle.realtime.count(bossOnly)).rejects.toMatchObject({
      status: 404,
      id: 'core.realtime.room_not_found',
    });
    const join = await my.kuzzle
      .query({ controller: 'realtime', action: 'join', body: { roomId: bossOnly } })
      .catch((error: unknown) => error);
    expect(join).toMatchObject({ status: 404, id: 'core.realtime.room_not_found' });
    const listerList = (await lister.kuzzle.query({ controller: 'realtime', action: 'list' })).result;
    const bossList = (await boss.kuzzle.query({ controller: 'realtime', action: 'list' })).result;
    expect(listerList['%auth']).toEqual({ events: { [lister.roomId]: 1 } });
    expect(bossList['%auth']).toEqual({ events: { [boss.roomId]: 3, [bossOnly]: 1 } });
  });
});
