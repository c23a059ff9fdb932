/**
 * The `realtime` controller through the real Funnel, as kuzzle-sdk calls it: the envelopes it sends over
 * WebSocket, the results it reads (`roomId` and `channel`, `count`, `published`), the refusals over HTTP, the
 * HTTP routes, and `list` restricted by the caller's rights.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ConnectionInfo, RequestUser } from '@tessera/plugin-sdk';
import { createSilentLogger } from '../../src/logging';
import { ActionRegistry } from '../../src/api/action-registry';
import { Funnel } from '../../src/api/funnel';
import type { Request } from '../../src/api/request';
import { realtimeController } from '../../src/controllers/realtime-controller';
import { createRightsEvaluator, type RightsSource } from '../../src/security/accounts';
import { openHub, type HubHarness, type TestClient } from './realtime-fixture';

let harness: HubHarness;
let registry: ActionRegistry;
let funnel: Funnel;
let alice: TestClient;
let admin: TestClient;

/** Alice's one policy is restricted to the index `chat`; the admin's is not. Both roles allow everything. */
function rightsSource(user: RequestUser): RightsSource {
  const restrictedTo = user.profileIds.includes('admin') ? undefined : [{ index: 'chat' }];
  return {
    profiles: [{ policies: [{ roleId: 'everything', ...(restrictedTo && { restrictedTo }) }] }],
    roles: new Map([['everything', { controllers: { '*': { actions: { '*': true } } } }]]),
  };
}

beforeEach(() => {
  harness = openHub();
  alice = harness.client('alice');
  admin = harness.client('the-admin', ['admin']);
  const users = new Map([alice, admin].map((client) => [client.id, client.user]));
  registry = new ActionRegistry();
  registry.register(
    'realtime',
    realtimeController({
      hub: harness.hub,
      accounts: { rightsFor: (user) => Promise.resolve(createRightsEvaluator(rightsSource(user))) },
    }),
  );
  funnel = new Funnel({
    registry,
    bus: harness.bus,
    log: createSilentLogger(),
    // Each connection is its client's user; an unknown one (HTTP) is alice too.
    authorizer: {
      authorize: (request: Request) => {
        request.user = users.get(request.connection.id) ?? alice.user;
        return Promise.resolve();
      },
    },
    limits: { concurrentRequests: 10, requestsBufferSize: 10 },
  });
});

const websocket = (client: TestClient): ConnectionInfo => ({
  id: client.id,
  protocol: 'websocket',
  address: null,
  ips: [],
  headers: {},
});
const http: ConnectionInfo = { id: 'an-http-request', protocol: 'http', address: null, ips: [], headers: {} };

function call(connection: ConnectionInfo, action: string, envelope: Record<string, unknown> = {}) {
  return funnel.execute({ controller: 'realtime', action, ...envelope }, connection);
}

async function succeed(
  connection: ConnectionInfo,
  action: string,
  envelope: Record<string, unknown> = {},
): Promise<any> {
  const request = await call(connection, action, envelope);
  expect(request.error).toBeNull();
  return request.result;
}

/** What kuzzle-sdk's `realtime.subscribe('chat', 'messages', filters, cb, {users: 'all'})` sends over WS. */
const sdkSubscribe = (filters: object, extra: Record<string, unknown> = {}) => ({
  index: 'chat',
  collection: 'messages',
  body: filters,
  scope: 'all',
  state: 'done',
  users: 'all',
  subscribeToSelf: false,
  autoResubscribe: true,
  volatile: { sdkInstanceId: 'sdk-1', sdkName: 'js@7.17.1' },
  ...extra,
});

describe('the realtime controller', () => {
  it('subscribes over WebSocket with what kuzzle-sdk sends, and answers roomId and channel', async () => {
    const result = await succeed(websocket(alice), 'subscribe', sdkSubscribe({ equals: { a: 1 } }));

    expect(result).toEqual({ roomId: expect.any(String), channel: expect.stringMatching(/-/) });
    expect(await harness.hub.count(alice.caller(), result.roomId)).toBe(1);
  });

  it('publishes (any protocol) to matching subscribers and answers {published: true}', async () => {
    const { channel } = await succeed(websocket(alice), 'subscribe', sdkSubscribe({ equals: { a: 1 } }));

    const published = await succeed(http, 'publish', {
      index: 'chat',
      collection: 'messages',
      _id: 'm1',
      body: { a: 1 },
      requestId: 'publish-1',
      volatile: { sdkInstanceId: 'sdk-2' },
    });

    expect(published).toEqual({ published: true });
    expect(alice.frames()).toEqual([
      expect.objectContaining({
        room: channel,
        requestId: 'publish-1',
        volatile: { sdkInstanceId: 'sdk-2' },
        protocol: 'http',
        result: {
          _id: 'm1',
          _source: { a: 1, _kuzzle_info: { author: 'alice', createdAt: expect.any(Number) } },
        },
      }),
    ]);
  });

  it('counts, and unsubscribes with {roomId}, as kuzzle-sdk reads them', async () => {
    const { roomId } = await succeed(websocket(alice), 'subscribe', sdkSubscribe({}));
    await succeed(websocket(admin), 'join', { body: { roomId } });

    expect(await succeed(http, 'count', { body: { roomId } })).toEqual({ count: 2 });
    expect(await succeed(websocket(admin), 'unsubscribe', { body: { roomId } })).toEqual({ roomId });
    expect(await succeed(http, 'count', { body: { roomId } })).toEqual({ count: 1 });
  });

  it.each(['subscribe', 'join', 'unsubscribe'])('refuses %s over HTTP', async (action) => {
    const request = await call(http, action, sdkSubscribe({}, { body: { roomId: 'some-room' } }));

    expect(request.error?.toJSON()).toMatchObject({
      status: 400,
      id: 'api.process.realtime_connection_required',
      props: [action, 'http'],
    });
  });

  it('refuses a bad scope or users value with Kuzzle`s errors, and a missing roomId', async () => {
    const scope = await call(websocket(alice), 'subscribe', sdkSubscribe({}, { scope: 'sideways' }));
    const users = await call(websocket(alice), 'subscribe', sdkSubscribe({}, { users: 'some' }));
    const count = await call(websocket(alice), 'count', { body: {} });

    expect(scope.error?.id).toBe('core.realtime.invalid_scope');
    expect(users.error?.id).toBe('core.realtime.invalid_users');
    expect(count.error?.toJSON()).toMatchObject({
      id: 'api.assert.missing_argument',
      props: ['body.roomId'],
    });
  });

  it('lists the rooms of the collections the caller may subscribe to', async () => {
    const chat = await succeed(websocket(alice), 'subscribe', sdkSubscribe({}));
    const secret = await succeed(websocket(admin), 'subscribe', sdkSubscribe({}, { index: 'secret' }));

    expect(await succeed(websocket(alice), 'list')).toEqual({ chat: { messages: { [chat.roomId]: 1 } } });
    expect(await succeed(websocket(admin), 'list')).toEqual({
      chat: { messages: { [chat.roomId]: 1 } },
      secret: { messages: { [secret.roomId]: 1 } },
    });
  });

  it("publishes Kuzzle's HTTP routes for list and publish, and none for the actions needing a socket", () => {
    const routes = registry.routes().map(({ verb, path, action }) => `${verb} ${path} ${action}`);

    expect(routes.sort()).toEqual([
      'GET /_listSubscriptions list',
      'POST /:index/:collection/_publish publish',
    ]);
  });
});
