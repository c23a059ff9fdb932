/**
 * The RealtimeHub as kuzzle-sdk sees it through its frames: rooms and channels, Kuzzle's document and user
 * notifications, Koncorde matching, leaving (unsubscribe, dropConnection, a closing connection), count and list,
 * and the `realtime:beforeNotify` pipeline.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { JsonObject } from '@tessera/plugin-sdk';
import type { ChannelOption, ChannelOptions } from '../../src/realtime/realtime-hub';
import { NODE_ID, openHub, type HubHarness, type TestClient } from './realtime-fixture';

let harness: HubHarness;
let alice: TestClient;
let bob: TestClient;

beforeEach(() => {
  harness = openHub();
  alice = harness.client('alice');
  bob = harness.client('bob');
});

const subscribe = (
  client: TestClient,
  filters: JsonObject = {},
  options: ChannelOptions = {},
  collection = 'messages',
) => harness.hub.subscribe(client.caller(), 'chat', collection, filters, options);

const publish = (client: TestClient, message: JsonObject, id?: string) =>
  harness.hub.publish(client.caller({ from: client.id }), 'chat', 'messages', message, id);

/** What each user notification a client received says: `in` or `out`. */
const userMoves = (client: TestClient) =>
  client.frames().flatMap((frame) => (frame.type === 'user' ? [frame.user] : []));

/** The `_source` of each document notification a client received. */
const documents = (client: TestClient) =>
  client.frames().flatMap((frame) => (frame.type === 'document' ? [frame.result._source] : []));

function thrown(action: () => unknown): any {
  try {
    action();
  } catch (error) {
    return JSON.parse(JSON.stringify(error));
  }
  throw new Error('expected an error');
}

describe('subscribe', () => {
  it('answers a roomId and a channel of that room, distinct from it', () => {
    const { roomId, channel } = subscribe(alice, { equals: { topic: 'news' } });

    expect(roomId).toMatch(/^[0-9a-f]{64}$/);
    expect(channel.startsWith(`${roomId}-`)).toBe(true);
    expect(channel).not.toBe(roomId);
  });

  it('gives the same roomId and channel for the same normalized filters and options, however written', () => {
    const first = subscribe(alice, { equals: { color: 'red' } }, { users: 'all' });
    const second = subscribe(bob, { bool: { must: [{ in: { color: ['red'] } }] } }, { users: 'all' });

    expect(second).toEqual(first);
  });

  it('gives another channel of the same room for other options, and another room for another collection', () => {
    const base = subscribe(alice, { equals: { a: 1 } });
    const otherOptions = subscribe(bob, { equals: { a: 1 } }, { scope: 'in', users: 'all' });
    const otherCollection = subscribe(bob, { equals: { a: 1 } }, {}, 'alerts');

    expect(otherOptions.roomId).toBe(base.roomId);
    expect(otherOptions.channel).not.toBe(base.channel);
    expect(otherCollection.roomId).not.toBe(base.roomId);
  });

  it('is refused to a connection the server cannot push to (HTTP), naming the action and the protocol', async () => {
    const error = thrown(() =>
      harness.hub.subscribe(
        { ...alice.caller(), connection: { id: 'an-http-request', protocol: 'http' } },
        'chat',
        'messages',
        {},
      ),
    );

    expect(error).toMatchObject({
      status: 400,
      id: 'api.process.realtime_connection_required',
      props: ['subscribe', 'http'],
    });
    expect(await harness.hub.list(alice.caller())).toEqual({});
  });

  it('refuses invalid Koncorde filters with Kuzzle errors', () => {
    expect(thrown(() => subscribe(alice, { matches: { a: 1 } }))).toMatchObject({
      id: 'api.assert.koncorde_unknown_keyword',
      props: ['matches'],
    });
    expect(thrown(() => subscribe(alice, { equals: { a: { nested: 1 } } }))).toMatchObject({
      status: 400,
      id: 'api.assert.koncorde_dsl_error',
    });
  });
});

describe('document notifications', () => {
  it('pushes Kuzzle`s publish notification on the channel, with the publishing request`s volatile', async () => {
    const { channel } = subscribe(alice, { equals: { topic: 'news' } });
    const caller = bob.caller({ sdkInstanceId: 'bob-sdk', note: 'hi' });

    await harness.hub.publish(caller, 'chat', 'messages', { topic: 'news', text: 'hello' }, 'message-1');

    const [frame] = alice.frames();
    expect(alice.frames()).toHaveLength(1);
    expect(frame).toEqual({
      type: 'document',
      status: 200,
      action: 'publish',
      event: 'publish',
      scope: 'in',
      result: {
        _id: 'message-1',
        _source: {
          topic: 'news',
          text: 'hello',
          _kuzzle_info: { author: 'bob', createdAt: expect.any(Number) },
        },
      },
      requestId: caller.requestId,
      timestamp: expect.any(Number),
      volatile: { sdkInstanceId: 'bob-sdk', note: 'hi' },
      index: 'chat',
      collection: 'messages',
      controller: 'realtime',
      protocol: 'websocket',
      node: NODE_ID,
      room: channel,
    });
    expect(Object.keys(frame!).at(-1)).toBe('room');
  });

  it('leaves `_id` out when the publication has none, and matches `ids` filters when it has one', async () => {
    subscribe(alice, {});
    subscribe(bob, { ids: { values: ['message-1'] } });

    await publish(alice, { text: 'no id' });
    await publish(alice, { text: 'with id' }, 'message-1');

    expect(alice.frames().map((frame) => Object.keys(frame.result))).toEqual([
      ['_source'],
      ['_id', '_source'],
    ]);
    expect(documents(bob)).toEqual([expect.objectContaining({ text: 'with id' })]);
  });

  it.each([
    ['equals', { equals: { color: 'red' } }, { color: 'red' }, { color: 'blue' }],
    ['in', { in: { color: ['red', 'green'] } }, { color: 'green' }, { color: 'blue' }],
    ['range', { range: { age: { gte: 18, lt: 65 } } }, { age: 30 }, { age: 70 }],
    [
      'bool',
      { bool: { must: [{ equals: { color: 'red' } }], must_not: [{ range: { age: { lt: 18 } } }] } },
      { color: 'red', age: 20 },
      { color: 'red', age: 10 },
    ],
    ['not', { not: { equals: { color: 'red' } } }, { color: 'blue' }, { color: 'red' }],
  ])('delivers what a %s filter matches, and only that', async (_keyword, filters, matching, other) => {
    subscribe(alice, filters);

    await publish(bob, other);
    await publish(bob, matching);

    expect(documents(alice)).toEqual([expect.objectContaining(matching)]);
  });

  it.each<[ChannelOption, number]>([
    ['all', 1],
    ['in', 1],
    ['out', 0],
    ['none', 0],
  ])('with scope "%s", a publication (scope in) reaches the channel %i time(s)', async (scope, expected) => {
    subscribe(alice, {}, { scope });

    await publish(bob, { text: 'hello' });

    expect(documents(alice)).toHaveLength(expected);
  });

  it('serialises once per channel, whatever the number of subscribers on it', async () => {
    const carol = harness.client('carol');
    subscribe(alice);
    subscribe(bob);
    subscribe(carol, {}, { scope: 'in' });

    await publish(alice, { text: 'hello' });

    expect(harness.connections.batches).toEqual([[alice.id, bob.id], [carol.id]]);
  });

  it('delivers to a connection once per channel it holds on the room', async () => {
    const first = subscribe(alice);
    const second = subscribe(alice, {}, { scope: 'in' });

    await publish(bob, { text: 'hello' });

    expect(alice.frames().map((frame) => frame.room)).toEqual([first.channel, second.channel]);
  });
});

describe('server announcements', () => {
  const announce = (collection = 'messages') =>
    harness.hub.announce('chat', collection, { event: 'server-news' });

  it('reach the rooms of the collection still there after another room of it lost its last subscriber', async () => {
    subscribe(alice, { equals: { event: 'server-news' } });
    const { roomId } = subscribe(bob, {});
    harness.hub.unsubscribe(bob.caller().connection, roomId);
    await announce();
    expect(documents(alice)).toEqual([{ event: 'server-news' }]);
  });

  it('reach a room made after every room of the collection was removed, and only that collection', async () => {
    const { roomId } = subscribe(alice, {});
    harness.hub.unsubscribe(alice.caller().connection, roomId);
    await announce();
    subscribe(bob, {});
    subscribe(alice, {}, {}, 'other');
    await announce();
    expect(documents(bob)).toEqual([{ event: 'server-news' }]);
    expect(documents(alice)).toEqual([]);
  });
});

describe('user notifications', () => {
  it('tells subscribers who asked (users "all") of a connection coming in and going out, with its volatile', async () => {
    const { roomId, channel } = subscribe(alice, {}, { users: 'all' });
    harness.hub.subscribe(bob.caller({ sdkInstanceId: 'bob-sdk' }), 'chat', 'messages', {});
    harness.hub.unsubscribe(bob.caller().connection, roomId);
    await harness.hub.settled();

    const common = {
      type: 'user',
      status: 200,
      timestamp: expect.any(Number),
      volatile: { sdkInstanceId: 'bob-sdk' },
      index: 'chat',
      collection: 'messages',
      controller: 'realtime',
      protocol: 'websocket',
      node: NODE_ID,
      room: channel,
    };
    expect(alice.frames()).toEqual([
      { ...common, user: 'in', action: 'subscribe', result: { count: 2 } },
      { ...common, user: 'out', action: 'unsubscribe', result: { count: 1 } },
    ]);
    expect(bob.frames()).toEqual([]);
  });

  it.each<[ChannelOption, string[]]>([
    ['in', ['in']],
    ['out', ['out']],
    ['none', []],
  ])('with users "%s", a subscriber hears of %j', async (users, expected) => {
    const { roomId } = subscribe(alice, {}, { users });
    subscribe(bob);
    harness.hub.unsubscribe(bob.caller().connection, roomId);
    await harness.hub.settled();

    expect(userMoves(alice)).toEqual(expected);
  });

  it('says nothing when a connection already in the room subscribes again with other options', async () => {
    subscribe(alice, {}, { users: 'all' });
    subscribe(bob);
    subscribe(bob, {}, { scope: 'in' });
    await harness.hub.settled();

    expect(userMoves(alice)).toEqual(['in']);
  });
});

describe('unsubscribe', () => {
  it('answers the roomId and stops the deliveries of every channel the connection had in the room', async () => {
    const { roomId } = subscribe(alice);
    subscribe(alice, {}, { scope: 'in' });

    expect(harness.hub.unsubscribe(alice.caller().connection, roomId)).toEqual({ roomId });
    await publish(bob, { text: 'hello' });

    expect(alice.frames()).toEqual([]);
  });

  it('refuses a room the connection is not in with core.realtime.not_subscribed', () => {
    const { roomId } = subscribe(alice);

    expect(thrown(() => harness.hub.unsubscribe(bob.caller().connection, roomId))).toMatchObject({
      status: 412,
      id: 'core.realtime.not_subscribed',
      props: [bob.id, roomId],
    });
  });

  it('removes the room with its last subscriber', async () => {
    const { roomId } = subscribe(alice);

    harness.hub.unsubscribe(alice.caller().connection, roomId);

    await expect(harness.hub.count(alice.caller(), roomId)).rejects.toMatchObject({
      status: 404,
      id: 'core.realtime.room_not_found',
    });
  });
});

describe('join', () => {
  it('enters an existing room by id, with its own channel options', async () => {
    const { roomId } = subscribe(alice, { equals: { topic: 'news' } });

    const joined = await harness.hub.join(bob.caller(), roomId, { scope: 'in' });
    await publish(alice, { topic: 'news' });

    expect(joined.roomId).toBe(roomId);
    expect(bob.frames().map((frame) => frame.room)).toEqual([joined.channel]);
    expect(await harness.hub.count(bob.caller(), roomId)).toBe(2);
  });

  it('refuses an unknown room with core.realtime.room_not_found', async () => {
    await expect(harness.hub.join(bob.caller(), 'no-such-room')).rejects.toMatchObject({
      id: 'core.realtime.room_not_found',
      props: ['no-such-room'],
    });
  });
});

describe('count and list', () => {
  it('counts connections, not channels', async () => {
    const { roomId } = subscribe(alice);
    subscribe(alice, {}, { scope: 'in' });
    subscribe(bob);

    expect(await harness.hub.count(alice.caller(), roomId)).toBe(2);
  });

  it('lists rooms as {index: {collection: {roomId: connections}}}, restricted to what is visible', async () => {
    const messages = subscribe(alice, {}).roomId;
    const news = subscribe(bob, { equals: { topic: 'news' } }).roomId;
    subscribe(bob, {});
    const alerts = subscribe(bob, {}, {}, 'alerts').roomId;

    expect(await harness.hub.list(alice.caller())).toEqual({
      chat: { messages: { [messages]: 2, [news]: 1 }, alerts: { [alerts]: 1 } },
    });
    expect(await harness.hub.list(alice.caller(), (_index, collection) => collection === 'alerts')).toEqual({
      chat: { alerts: { [alerts]: 1 } },
    });
  });
});

describe('dropConnection', () => {
  it('removes every subscription of the connection, returns how many, and tells the others', async () => {
    const shared = subscribe(bob, {}, { users: 'out' });
    subscribe(alice);
    const own = subscribe(alice, { equals: { topic: 'news' } });

    expect(harness.hub.dropConnection(alice.id)).toBe(2);
    await publish(bob, { topic: 'news' });

    expect(alice.frames()).toEqual([]);
    expect(bob.frames().filter((frame) => frame.type === 'user')).toEqual([
      expect.objectContaining({ user: 'out', result: { count: 1 }, room: shared.channel }),
    ]);
    await expect(harness.hub.count(bob.caller(), own.roomId)).rejects.toThrow();
    expect(harness.hub.dropConnection(alice.id)).toBe(0);
  });

  it('runs when the connection closes (connection:remove on the bus)', async () => {
    const { roomId } = subscribe(alice);
    subscribe(bob);

    harness.bus.emit('connection:remove', {
      id: alice.id,
      protocol: 'websocket',
      address: null,
      ips: [],
      headers: {},
    });

    expect(await harness.hub.count(bob.caller(), roomId)).toBe(1);
  });
});

describe('the realtime:beforeNotify pipeline', () => {
  it('sees each notification with its channels, and may change it', async () => {
    const { channel } = subscribe(alice);
    const seen: string[][] = [];
    harness.bus.pipe('realtime:beforeNotify', (payload) => {
      seen.push([...payload.channels]);
      if (payload.notification?.type !== 'document') return payload;
      const { result } = payload.notification;
      return {
        ...payload,
        notification: { ...payload.notification, result: { ...result, _source: { redacted: true } } },
      };
    });

    await publish(bob, { secret: 'x' });

    expect(seen).toEqual([[channel]]);
    expect(documents(alice)).toEqual([{ redacted: true }]);
  });

  it('writes the channel as the one `room` of each frame, even when a pipe hands back a room of its own', async () => {
    const carol = harness.client('carol');
    const first = subscribe(alice, { equals: { topic: 'news' } });
    const second = subscribe(carol, { exists: 'topic' });
    harness.bus.pipe('realtime:beforeNotify', (payload) =>
      payload.notification === null
        ? payload
        : {
            ...payload,
            notification: {
              ...payload.notification,
              room: 'forged',
            } as unknown as typeof payload.notification,
          },
    );

    await publish(bob, { topic: 'news' });

    expect(harness.connections.written).toHaveLength(2);
    for (const json of harness.connections.written) expect(json.match(/"room":/g)).toHaveLength(1);
    expect(alice.frames().map((frame) => frame.room)).toEqual([first.channel]);
    expect(carol.frames().map((frame) => frame.room)).toEqual([second.channel]);
  });

  it('drops a notification a pipe sets to null, and one whose pipe throws (logged); later ones still go', async () => {
    subscribe(alice);
    harness.bus.pipe('realtime:beforeNotify', (payload) => {
      if (payload.notification?.type !== 'document') return payload;
      const { text } = payload.notification.result._source;
      if (text === 'drop') return { ...payload, notification: null };
      if (text === 'throw') throw new Error('plugin failure');
      return payload;
    });

    await publish(bob, { text: 'drop' });
    await publish(bob, { text: 'throw' });
    await publish(bob, { text: 'keep' });

    expect(documents(alice)).toEqual([expect.objectContaining({ text: 'keep' })]);
    expect(harness.errors).toEqual([
      {
        message: 'realtime notification dropped',
        fields: expect.objectContaining({ error: expect.any(Error) }),
      },
    ]);
  });

  it('keeps notifications in order when a pipe is slow on an earlier one', async () => {
    subscribe(alice);
    harness.bus.pipe('realtime:beforeNotify', async (payload) => {
      const slow = payload.notification?.type === 'document' && payload.notification.result._source.n === 1;
      if (slow) await new Promise((resolve) => setTimeout(resolve, 20));
      return payload;
    });

    await Promise.all([publish(bob, { n: 1 }), publish(bob, { n: 2 })]);

    expect(documents(alice).map((source) => source.n)).toEqual([1, 2]);
  });
});
