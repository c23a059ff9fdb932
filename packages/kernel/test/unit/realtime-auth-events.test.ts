/**
 * The `%auth` events channel: each auth event of the bus becomes a document on `%auth/events`, a user hears only
 * about themselves whatever their filter, an admin hears everything, and nobody publishes there.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { JsonObject, KernelEvents, Unsubscribe } from '@tessera/plugin-sdk';
import {
  AUTH_EVENTS,
  attachAuthEventsChannel,
  type AuthEventName,
} from '../../src/realtime/auth-events-channel';
import { NODE_ID, openHub, type HubHarness, type TestClient } from './realtime-fixture';

let harness: HubHarness;
let detach: Unsubscribe;
let alice: TestClient;
let admin: TestClient;

beforeEach(() => {
  harness = openHub();
  detach = attachAuthEventsChannel(harness.hub, harness.bus);
  alice = harness.client('alice');
  admin = harness.client('the-admin', ['default', 'admin']);
});

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
  'token:revoked': { ...token(kuid), reason: 'logout' },
  'token:refreshed': { ...token(kuid), previousSessionId: 'older' },
  'credentials:created': { kuid, strategy: 'local', author: 'the-admin' },
  'credentials:updated': { kuid, strategy: 'local', author: 'the-admin' },
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
    const bob = harness.client('bob');
    const { roomId } = subscribe(admin);
    subscribe(alice);
    harness.hub.join(bob.caller(), roomId);

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
