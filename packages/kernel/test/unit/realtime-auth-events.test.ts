/**
 * The `%auth` events channel: each auth event of the bus becomes a document on `%auth/events`; who hears it is
 * judged at each delivery against who the connection is then (its linked token's user, on real token links) and
 * that user's rights now (a real SecurityRepository on SQLite): `security:watchAllAuthEvents` hears everything,
 * anyone else only their own events. Nobody publishes there.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { JsonObject, KernelEvents, Unsubscribe } from '@tessera/plugin-sdk';
import {
  AUTH_EVENTS,
  attachAuthEventsChannel,
  createAuthEventsAudience,
  type AuthEventName,
} from '../../src/realtime/auth-events-channel';
import { createTokenLinks, type TokenLinks } from '../../src/realtime/token-links';
import { applyStandardRights } from '../../src/security/accounts';
import { ANONYMOUS_KUID } from '../../src/security/model';
import type { AuthToken } from '../../src/security/tokens';
import { NODE_ID, openHub, type HubHarness, type TestClient } from './realtime-fixture';
import { openFixture, type Fixture } from './security-accounts-fixture';

let harness: HubHarness;
let accounts: Fixture;
let links: TokenLinks;
let detach: Unsubscribe;
let alice: TestClient;
let admin: TestClient;
let sessions = 0;

/** Links the client's connection to a new token of `kuid` (its own user unless told), as a request with it would. */
function logIn(client: TestClient, kuid = client.user._id): void {
  const token: AuthToken = {
    jwt: 'unused',
    kuid,
    sessionId: `session-${++sessions}`,
    type: 'authToken',
    expiresAt: -1,
    ttl: -1,
    singleUse: false,
  };
  links.link(client.id, token);
}

/** A connection of `kuid`, a user of the store with these profiles, logged in. */
async function connect(kuid: string, profileIds = ['default']): Promise<TestClient> {
  await accounts.repo.users.createOrReplace(kuid, { profileIds }, null);
  const client = harness.client(kuid, profileIds);
  logIn(client);
  return client;
}

beforeEach(async () => {
  harness = openHub();
  accounts = await openFixture();
  accounts.registry.declareRight('security', 'watchAllAuthEvents');
  await applyStandardRights(accounts.repo, null);
  links = createTokenLinks();
  const audience = createAuthEventsAudience({
    kuidOf: (connectionId) => links.tokenOf(connectionId)?.kuid ?? ANONYMOUS_KUID,
    accounts: accounts.repo,
  });
  detach = attachAuthEventsChannel(harness.hub, harness.bus, audience);
  alice = await connect('alice');
  admin = await connect('the-admin', ['default', 'admin']);
});

afterEach(() => accounts.close());

const subscribe = (client: TestClient, filters: JsonObject = {}, users: 'all' | 'none' = 'none') =>
  harness.hub.subscribe(client.caller(), '%auth', 'events', filters, { users });

const origin = { connectionId: 'connection-x', ip: '10.0.0.7' };
const token = (kuid: string) => ({
  kuid,
  sessionId: `session-of-${kuid}`,
  type: 'authToken' as const,
  expiresAt: 1,
});

/** A sample payload of each event, about `kuid`. */
const samples = (kuid: string): { [E in AuthEventName]: KernelEvents[E] } => ({
  'auth:login': { kuid, strategy: 'local', sessionId: `session-of-${kuid}`, ...origin },
  'auth:loginFailed': { strategy: 'local', reason: 'wrong password', ...origin },
  'auth:logout': { kuid, sessionId: `session-of-${kuid}`, global: false, ...origin },
  'token:expiring': token(kuid),
  'token:expired': token(kuid),
  'token:revoked': { ...token(kuid), reason: 'logout', author: kuid },
  'token:refreshed': { ...token(kuid), previousSessionId: 'older' },
  'credentials:created': { kuid, strategy: 'local', author: 'the-admin' },
  'credentials:updated': { kuid, strategy: 'local', author: 'the-admin', secretChanged: true },
  'credentials:deleted': { kuid, strategy: 'local', author: 'the-admin' },
  'user:created': { kuid, author: 'the-admin' },
  'user:deleted': { kuid, author: 'the-admin' },
});

function emit(event: AuthEventName, kuid: string): void {
  harness.bus.emit(event, samples(kuid)[event]);
}

/** The `_source` of each auth event a client received. */
async function received(client: TestClient): Promise<JsonObject[]> {
  await harness.hub.settled();
  return client.frames().flatMap((frame) => (frame.type === 'document' ? [frame.result._source] : []));
}

describe('the %auth events channel', () => {
  it('announces an event as Kuzzle`s publish document notification from the server', async () => {
    const { channel } = subscribe(alice);

    emit('auth:login', 'alice');
    await harness.hub.settled();

    expect(alice.frames()).toEqual([
      {
        type: 'document',
        status: 200,
        action: 'publish',
        event: 'publish',
        scope: 'in',
        result: {
          _source: {
            event: 'auth:login',
            kuid: 'alice',
            strategy: 'local',
            sessionId: 'session-of-alice',
            connectionId: 'connection-x',
            ip: '10.0.0.7',
            at: expect.any(Number),
          },
        },
        requestId: null,
        timestamp: expect.any(Number),
        volatile: null,
        index: '%auth',
        collection: 'events',
        controller: 'realtime',
        protocol: 'internal',
        node: NODE_ID,
        room: channel,
      },
    ]);
  });

  it('announces each of the twelve events with the fields it has', async () => {
    subscribe(admin);

    for (const event of AUTH_EVENTS) emit(event, 'alice');

    const byEvent = Object.fromEntries((await received(admin)).map((source) => [source.event, source]));
    const at = expect.any(Number);
    const session = { sessionId: 'session-of-alice' };
    expect(byEvent).toEqual({
      'auth:login': { event: 'auth:login', kuid: 'alice', strategy: 'local', ...session, ...origin, at },
      'auth:loginFailed': { event: 'auth:loginFailed', kuid: null, strategy: 'local', ...origin, at },
      'auth:logout': { event: 'auth:logout', kuid: 'alice', ...session, ...origin, at },
      'token:expiring': { event: 'token:expiring', kuid: 'alice', ...session, at },
      'token:expired': { event: 'token:expired', kuid: 'alice', ...session, at },
      'token:revoked': { event: 'token:revoked', kuid: 'alice', ...session, at },
      'token:refreshed': { event: 'token:refreshed', kuid: 'alice', ...session, at },
      'credentials:created': { event: 'credentials:created', kuid: 'alice', strategy: 'local', at },
      'credentials:updated': { event: 'credentials:updated', kuid: 'alice', strategy: 'local', at },
      'credentials:deleted': { event: 'credentials:deleted', kuid: 'alice', strategy: 'local', at },
      'user:created': { event: 'user:created', kuid: 'alice', at },
      'user:deleted': { event: 'user:deleted', kuid: 'alice', at },
    });
  });

  it('sends a user subscribed with an empty filter their own events only', async () => {
    subscribe(alice);

    emit('auth:login', 'alice');
    emit('auth:login', 'bob');
    emit('auth:loginFailed', 'bob');
    emit('token:revoked', 'alice');

    expect((await received(alice)).map((source) => [source.event, source.kuid])).toEqual([
      ['auth:login', 'alice'],
      ['token:revoked', 'alice'],
    ]);
  });

  it('sends a user nothing about others, even with a filter naming them', async () => {
    subscribe(alice, { equals: { kuid: 'bob' } });

    emit('auth:login', 'bob');

    expect(await received(alice)).toEqual([]);
  });

  it('sends an admin every event, failed logins included', async () => {
    subscribe(admin);

    emit('auth:login', 'alice');
    emit('auth:loginFailed', 'bob');
    emit('user:deleted', 'bob');

    expect((await received(admin)).map((source) => [source.event, source.kuid])).toEqual([
      ['auth:login', 'alice'],
      ['auth:loginFailed', null],
      ['user:deleted', 'bob'],
    ]);
  });

  it('applies an admin`s filter: {equals: {event: "auth:login"}} gets the logins only', async () => {
    subscribe(admin, { equals: { event: 'auth:login' } });

    emit('auth:logout', 'alice');
    emit('auth:login', 'alice');
    emit('auth:login', 'bob');

    expect((await received(admin)).map((source) => [source.event, source.kuid])).toEqual([
      ['auth:login', 'alice'],
      ['auth:login', 'bob'],
    ]);
  });

  it('keeps a user to their own events in a room shared with an admin, or joined by id', async () => {
    const bob = await connect('bob');
    const bobElsewhere = await connect('bob');
    const { roomId } = subscribe(admin);
    subscribe(alice);
    subscribe(bobElsewhere);
    await harness.hub.join(bob.caller(), roomId);

    emit('auth:login', 'alice');
    emit('auth:login', 'bob');

    expect((await received(alice)).map((source) => source.kuid)).toEqual(['alice']);
    expect((await received(bob)).map((source) => source.kuid)).toEqual(['bob']);
    expect((await received(admin)).map((source) => source.kuid)).toEqual(['alice', 'bob']);
  });

  it('tells nobody who else subscribes (no user notification on %auth)', async () => {
    subscribe(admin, {}, 'all');
    subscribe(alice, {}, 'all');

    await harness.hub.settled();

    expect([...admin.frames(), ...alice.frames()]).toEqual([]);
  });

  it('refuses any client publication on %auth, an admin`s too', async () => {
    subscribe(alice);

    await expect(
      harness.hub.publish(admin.caller(), '%auth', 'events', { event: 'auth:login', kuid: 'alice' }),
    ).rejects.toMatchObject({
      status: 403,
      id: 'api.process.reserved_channel',
      code: 0x02800001,
      message: 'The "%auth" channel is reserved to the server.',
    });
    expect(await received(alice)).toEqual([]);
  });

  it('stops announcing, and frees %auth, once detached', async () => {
    subscribe(admin);
    detach();

    emit('auth:login', 'alice');

    expect(await received(admin)).toEqual([]);
    await harness.hub.publish(admin.caller(), '%auth', 'events', { text: 'now an ordinary index' });
    expect(await received(admin)).toEqual([expect.objectContaining({ text: 'now an ordinary index' })]);
  });
});

/** The kuids of the events a client heard, in order. */
const kuidsHeard = async (client: TestClient) => (await received(client)).map((source) => source.kuid);

describe('the %auth audience, judged at each delivery', () => {
  it('follows the connection`s identity: unlinked, it hears nothing; linked to another user, what they hear', async () => {
    subscribe(admin);
    emit('auth:login', 'bob');
    await harness.hub.settled();

    links.unlink(admin.id);
    emit('auth:login', 'bob');
    emit('auth:login', 'the-admin');
    await harness.hub.settled();
    logIn(admin, 'alice');
    emit('auth:login', 'bob');
    emit('auth:login', 'alice');
    await harness.hub.settled();
    logIn(admin);
    emit('auth:login', 'bob');

    expect(await kuidsHeard(admin)).toEqual(['bob', 'alice', 'bob']);
  });

  it('follows the user`s profiles, the profiles` roles and the roles` rights as they are written', async () => {
    await accounts.repo.roles.create(
      'auditor',
      { controllers: { security: { actions: { watchAllAuthEvents: true } } } },
      null,
    );
    await accounts.repo.profiles.create('auditor', { policies: [{ roleId: 'auditor' }] }, null);
    subscribe(alice);
    emit('auth:login', 'bob');
    await harness.hub.settled();

    await accounts.repo.users.update('alice', { profileIds: ['auditor'] }, null);
    emit('auth:login', 'bob');
    await harness.hub.settled();
    await accounts.repo.roles.update(
      'auditor',
      { controllers: { auth: { actions: { login: true } } } },
      null,
    );
    emit('auth:login', 'bob');
    await harness.hub.settled();
    await accounts.repo.roles.update(
      'auditor',
      { controllers: { security: { actions: { watchAllAuthEvents: true } } } },
      null,
    );
    emit('auth:login', 'carol');
    await harness.hub.settled();
    await accounts.repo.profiles.update('auditor', { policies: [{ roleId: 'default' }] }, null);
    emit('auth:login', 'bob');
    emit('auth:login', 'alice');

    expect(await kuidsHeard(alice)).toEqual(['bob', 'carol', 'alice']);
  });

  it('applies a policy`s restrictedTo to the right: restricted to another index, it does not hold', async () => {
    await accounts.repo.profiles.create(
      'shop-admin',
      { policies: [{ roleId: 'admin', restrictedTo: [{ index: 'shop' }] }] },
      null,
    );
    const shopAdmin = await connect('shop-admin', ['shop-admin']);
    subscribe(shopAdmin);

    emit('auth:login', 'bob');
    emit('auth:login', 'shop-admin');

    expect(await kuidsHeard(shopAdmin)).toEqual(['shop-admin']);
  });

  it('judges a connection as it is when the notification leaves, even if it changed during a look-up', async () => {
    const base = accounts.repo;
    const lookedUp: string[] = [];
    detach();
    detach = attachAuthEventsChannel(
      harness.hub,
      harness.bus,
      createAuthEventsAudience({
        kuidOf: (connectionId) => links.tokenOf(connectionId)?.kuid ?? ANONYMOUS_KUID,
        accounts: {
          users: {
            peek: (kuid) => base.users.peek(kuid),
            find: (kuid) => {
              lookedUp.push(kuid);
              // The admin logs out while its user is being read.
              links.unlink(admin.id);
              return base.users.find(kuid);
            },
          },
          get rightsRevision() {
            return base.rightsRevision;
          },
          rightsFor: (user) => base.rightsFor(user),
        },
      }),
    );
    subscribe(admin);
    base.invalidateCache();

    emit('auth:login', 'bob');
    emit('auth:login', 'the-admin');

    expect(await kuidsHeard(admin)).toEqual([]);
    // Judged again once the admin's user was read: anonymous now, whose rights were looked up in turn.
    expect(lookedUp).toEqual(['the-admin', ANONYMOUS_KUID]);
  });

  it('leaves out a connection whose user was deleted, but for events about that user', async () => {
    subscribe(admin);
    await accounts.repo.users.delete('the-admin');

    emit('auth:login', 'bob');
    emit('user:deleted', 'the-admin');

    expect((await received(admin)).map((source) => [source.event, source.kuid])).toEqual([
      ['user:deleted', 'the-admin'],
    ]);
  });

  it('reads nothing from the store to deliver to 1,000 subscribers once their users and rights are in memory', async () => {
    const users = await Promise.all(
      Array.from({ length: 100 }, (_, n) => connect(`user-${n}`, n % 10 === 0 ? ['admin'] : ['default'])),
    );
    const clients = [...users];
    for (let n = users.length; n < 1_000; n += 1) {
      const client = harness.client(`user-${n % 100}`);
      logIn(client);
      clients.push(client);
    }
    for (const client of clients) subscribe(client);
    emit('auth:login', 'bob');
    await harness.hub.settled();
    const readsBefore = [...accounts.reads.values()].reduce((sum, count) => sum + count, 0);

    emit('auth:login', 'user-1');
    await harness.hub.settled();

    expect([...accounts.reads.values()].reduce((sum, count) => sum + count, 0)).toBe(readsBefore);
    const heard = clients.map((client) => client.frames().length);
    // Admins (user-0, user-10, ...) heard both events; user-1 its own; the others nothing.
    const expected = clients.map((client) =>
      [
        'user-0',
        'user-10',
        'user-20',
        'user-30',
        'user-40',
        'user-50',
        'user-60',
        'user-70',
        'user-80',
        'user-90',
      ].includes(client.user._id)
        ? 2
        : client.user._id === 'user-1'
          ? 1
          : 0,
    );
    expect(heard).toEqual(expected);
  });
});

describe('count, list and join on %auth', () => {
  it('show a caller without the right only their own listeners; a room with none does not exist for them', async () => {
    const bob = await connect('bob');
    const shared = subscribe(admin).roomId;
    subscribe(alice);
    subscribe(bob);
    const adminOnly = subscribe(admin, { equals: { kuid: 'carol' } }).roomId;

    expect(await harness.hub.count(admin.caller(), shared)).toBe(3);
    expect(await harness.hub.count(alice.caller(), shared)).toBe(1);
    await expect(harness.hub.count(alice.caller(), adminOnly)).rejects.toMatchObject({
      id: 'core.realtime.room_not_found',
    });
    await expect(harness.hub.join(alice.caller(), adminOnly)).rejects.toMatchObject({
      id: 'core.realtime.room_not_found',
    });
    expect(await harness.hub.list(alice.caller())).toEqual({ '%auth': { events: { [shared]: 1 } } });
    expect(await harness.hub.list(admin.caller())).toEqual({
      '%auth': { events: { [shared]: 3, [adminOnly]: 1 } },
    });
  });
});
