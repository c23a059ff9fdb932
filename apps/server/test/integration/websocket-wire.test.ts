/**
 * The WebSocket wire format with a raw client: rooms, application pings, malformed frames, liveness.
 */
import { Socket } from 'node:net';
import WebSocket from 'ws';
import { startTestKernel, type TestKernel } from '@tessera/testing';

let server: TestKernel;

afterEach(async () => {
  await server.stop();
});

async function open(
  options: WebSocket.ClientOptions = {},
): Promise<{ socket: WebSocket; next: () => Promise<any> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}`, options);
  const frames: unknown[] = [];
  const waiters: ((frame: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const frame: unknown = JSON.parse((data as Buffer).toString('utf8'));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = () =>
    frames.length > 0
      ? Promise.resolve(frames.shift())
      : new Promise<unknown>((resolve) => waiters.push(resolve));
  return { socket, next };
}

/** An answer frame's keys, in the order kuzzle-sdk's clients have always received them. */
const ANSWER_KEYS = [
  'requestId',
  'status',
  'error',
  'controller',
  'action',
  'index',
  'collection',
  'volatile',
  'result',
  'node',
  'room',
];

describe('WebSocket transport', () => {
  beforeEach(async () => {
    server = await startTestKernel();
  });

  it('answers a request frame with the envelope and room = requestId', async () => {
    const { socket, next } = await open();
    socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'r1', volatile: { v: 1 } }));
    const frame = await next();
    expect(frame).toMatchObject({
      room: 'r1',
      requestId: 'r1',
      status: 200,
      error: null,
      volatile: { v: 1 },
    });
    expect(typeof frame.result.now).toBe('number');
    socket.close();
  });

  // kuzzle-sdk reads these keys; the frame is written by hand for speed, so its exact shape is pinned here.
  it('writes a success answer as the Kuzzle envelope with room last, nothing more', async () => {
    const { socket, next } = await open();
    socket.send(
      JSON.stringify({
        controller: 'server',
        action: 'now',
        requestId: 'r"1\\',
        index: 'i',
        collection: 'c',
        volatile: { v: 1 },
      }),
    );
    const frame = await next();
    expect(Object.keys(frame)).toEqual(ANSWER_KEYS);
    expect(frame).toEqual({
      requestId: 'r"1\\',
      status: 200,
      error: null,
      controller: 'server',
      action: 'now',
      index: 'i',
      collection: 'c',
      volatile: { v: 1 },
      result: { now: expect.any(Number) },
      node: expect.any(String),
      room: 'r"1\\',
    });
    socket.close();
  });

  it('writes an error answer with the same keys, the error in place of the result, in the room of its request', async () => {
    const { socket, next } = await open();
    socket.send(JSON.stringify({ controller: 'server', action: 'nope', requestId: 'e1' }));
    const frame = await next();
    expect(Object.keys(frame)).toEqual(ANSWER_KEYS);
    expect(frame).toEqual({
      requestId: 'e1',
      status: 404,
      error: {
        status: 404,
        id: 'api.process.action_not_found',
        code: expect.any(Number),
        message: expect.any(String),
        props: expect.any(Array),
      },
      controller: 'server',
      action: 'nope',
      index: null,
      collection: null,
      volatile: null,
      result: null,
      node: expect.any(String),
      room: 'e1',
    });
    socket.close();
  });

  it('answers the requests of one read in one write to the TCP socket, not one write each', async () => {
    const { socket, next } = await open();
    // Warm: the anonymous user and its rights are then cached, so the three answers are ready in one tick on
    // every store (a first read from PostgreSQL would spread them over several, each its own write).
    socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'warm-up' }));
    expect(await next()).toMatchObject({ room: 'warm-up', status: 200 });
    const client = (socket as unknown as { _socket: Socket })._socket;
    // Counts the server side's writes to this client's TCP socket (its peer's port is the client's).
    const writes: string[] = [];
    const prototype = Socket.prototype as unknown as Record<
      '_write' | '_writev',
      (...args: unknown[]) => void
    >;
    const originals = { _write: prototype._write, _writev: prototype._writev };
    for (const name of ['_write', '_writev'] as const) {
      prototype[name] = function (this: Socket, ...args: unknown[]) {
        if (this.remotePort === client.localPort) writes.push(name);
        originals[name].apply(this, args);
      };
    }
    try {
      client.cork();
      socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'a' }));
      socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'b' }));
      socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'c' }));
      client.uncork();
      const frames = [await next(), await next(), await next()];
      // Answers are matched to requests by room, not by order.
      expect(frames.map((frame) => frame.room).sort()).toEqual(['a', 'b', 'c']);
      expect(writes).toHaveLength(1);
    } finally {
      Object.assign(prototype, originals);
    }
    socket.close();
  });

  it('answers {"p":1} with exactly {"p":2}', async () => {
    const { socket, next } = await open();
    socket.send('{"p":1}');
    expect(await next()).toEqual({ p: 2 });
    // Only that exact frame: with anything beside `p` it is a request.
    socket.send('{"p":1,"controller":"server","action":"now","requestId":"not-a-ping"}');
    expect(await next()).toMatchObject({ room: 'not-a-ping', status: 200 });
    socket.close();
  });

  it('keeps the socket open after a binary frame, a non-JSON frame and a JSON frame that is not an object', async () => {
    const { socket, next } = await open();
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await next()).error).toMatchObject({ id: 'network.websocket.unexpected_error', status: 400 });
    socket.send('{not json');
    expect((await next()).error.id).toBe('network.websocket.unexpected_error');
    socket.send('[1,2,3]');
    expect((await next()).error).toMatchObject({
      id: 'api.assert.invalid_type',
      props: ['request', 'object'],
    });
    socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'after' }));
    expect(await next()).toMatchObject({ room: 'after', status: 200 });
    socket.close();
  });

  it('answers an invalid envelope in the room of its requestId', async () => {
    const { socket, next } = await open();
    socket.send(JSON.stringify({ controller: 7, action: 'now', requestId: 'bad-1' }));
    expect(await next()).toMatchObject({ room: 'bad-1', error: { id: 'api.assert.invalid_type' } });
    socket.send('{"controller":"server","action":"now","requestId":"bad-2","body":{"__proto__":{"x":1}}}');
    expect(await next()).toMatchObject({ room: 'bad-2', error: { id: 'api.assert.invalid_argument' } });
    socket.close();
  });

  it('emits connection:new and connection:remove with the same connection id', async () => {
    const seen: [string, string][] = [];
    for (const name of ['connection:new', 'connection:remove'] as const) {
      server.kernel.bus.hook(name, (connection, event) => {
        if (connection.protocol === 'websocket') seen.push([event, connection.id]);
      });
    }
    const { socket } = await open();
    await new Promise((resolve) => {
      socket.once('close', resolve);
      socket.close();
    });
    while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.map(([event]) => event)).toEqual(['connection:new', 'connection:remove']);
    expect(seen[0]![1]).toBe(seen[1]![1]);
  });

  it('closes a frame over the maximum payload without harming other sockets', async () => {
    const { socket } = await open();
    const other = await open();
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    other.socket.send(JSON.stringify({ controller: 'server', action: 'now', requestId: 'ok' }));
    expect(await other.next()).toMatchObject({ room: 'ok', status: 200 });
    other.socket.close();
  });
});

describe('WebSocket liveness', () => {
  it('terminates a socket that stays silent past the idle timeout and keeps one that answers pings', async () => {
    server = await startTestKernel({
      overrides: { server: { websocket: { idleTimeout: 400, heartbeat: 100 } } },
    });
    const silent = await open({ autoPong: false });
    const alive = await open();
    const silentClosed = new Promise((resolve) => silent.socket.once('close', resolve));
    await silentClosed;
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    alive.socket.close();
  });
});

describe('graceful shutdown', () => {
  it('sends a close frame (1001) to every socket', async () => {
    server = await startTestKernel();
    const { socket } = await open();
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    await server.kernel.stop('test');
    expect(await closed).toBe(1001);
  });
});
