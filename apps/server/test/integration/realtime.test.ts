/**
 * Token lifecycle notifications and the %auth channel, with kuzzle-sdk over WebSocket and a raw ws client
 * where the SDK hides frames.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { openRawSocket } from './wire';

const PASSWORD = 'a long enough passphrase';
const user = (username: string, profileIds = ['default']) => ({
  content: { profileIds },
  credentials: { local: { username, password: PASSWORD } },
});
/** Resolves once `condition` holds; the test's timeout bounds the wait. */
const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

let server: TestKernel;

async function start(overrides: Record<string, unknown> = {}) {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } }, ...overrides },
  });
  const admin = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await admin.connect();
  await admin.security.createUser('mylehuong', user('my'));
  await admin.security.createUser('other', user('other'));
  await admin.security.createUser('boss', user('boss', ['admin']));
  admin.disconnect();
}

async function sdk(username?: string, expiresIn?: string): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
  await kuzzle.connect();
  if (username) await kuzzle.auth.login('local', { username, password: PASSWORD }, expiresIn);
  return kuzzle;
}

const raw = () => openRawSocket(server.port);

afterEach(async () => {
  await server.stop();
});

describe('TokenExpired', () => {
  it('reaches the SDK when its token expires; the subscription stops and the socket stays usable', async () => {
    await start();
    const kuzzle = await sdk();
    const publisher = await sdk();
    try {
      await kuzzle.auth.login('local', { username: 'my', password: PASSWORD }, '2s');
      const { expiresAt } = await kuzzle.auth.checkToken();
      const received: unknown[] = [];
      await kuzzle.realtime.subscribe(
        'shop',
        'orders',
        {},
        (notification: unknown) => void received.push(notification),
      );
      const expired = new Promise<number>((resolve) => kuzzle.on('tokenExpired', () => resolve(Date.now())));
      await publisher.realtime.publish('shop', 'orders', { n: 1 });
      await until(() => received.length === 1);
      // Not before the token expired; the test's timeout is the bound on how late.
      expect(await expired).toBeGreaterThanOrEqual(expiresAt);
      // The socket stays usable: it subscribes again, anonymously, to a room published to after `orders`.
      // Frames to one socket keep their order, so once the later one is here, `n: 2` would be too.
      const sentinel: unknown[] = [];
      await kuzzle.realtime.subscribe('shop', 'sentinel', {}, (n: unknown) => void sentinel.push(n));
      await publisher.realtime.publish('shop', 'orders', { n: 2 });
      await publisher.realtime.publish('shop', 'sentinel', {});
      await until(() => sentinel.length === 1);
      expect(received).toHaveLength(1);
    } finally {
      kuzzle.disconnect();
      publisher.disconnect();
    }
  });

  it('is sent with reason "revoked" before a global logout over HTTP is answered', async () => {
    await start();
    const client = await raw();
    try {
      const login = await client.query({
        controller: 'auth',
        action: 'login',
        strategy: 'local',
        body: { username: 'my', password: PASSWORD },
      });
      const jwt: string = login.result.jwt;
      await client.query({
        controller: 'realtime',
        action: 'subscribe',
        index: 'shop',
        collection: 'orders',
        body: {},
        jwt,
      });
      const http = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
      await http.connect();
      await http.auth.login('local', { username: 'my', password: PASSWORD });
      await http.query({ controller: 'auth', action: 'logout', global: true });
      http.disconnect();
      // Asked after the logout was answered, so answered after any frame the logout sent to this socket.
      await client.query({ controller: 'server', action: 'now' });
      expect(client.ofType('TokenExpired')).toHaveLength(1);
      expect(client.ofType('TokenExpired')[0]).toEqual({
        status: 200,
        info: 'This is an automated server notification',
        message: 'Authentication Token Expired',
        type: 'TokenExpired',
        node: server.kernel.nodeId,
        room: 'kuzzle:notification:server',
        reason: 'revoked',
      });
    } finally {
      client.socket.close();
    }
  });
});

describe('TokenExpiring', () => {
  it('warns before expiry; a refresh on the connection keeps the subscription and no TokenExpired comes', async () => {
    await start({
      security: { jwt: { expiryWarning: 1000 }, login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    });
    const client = await raw();
    // Logged in with the same lifetime just after: its TokenExpired says the server's expiries reached
    // the first token's.
    const witness = await raw();
    const publisher = await sdk();
    const login = (on: typeof client) =>
      on.query({
        controller: 'auth',
        action: 'login',
        strategy: 'local',
        expiresIn: '3s',
        body: { username: 'my', password: PASSWORD },
      });
    try {
      const first = await login(client);
      await login(witness);
      const subscription = await client.query({
        controller: 'realtime',
        action: 'subscribe',
        index: 'shop',
        collection: 'orders',
        body: {},
        jwt: first.result.jwt,
      });
      await until(() => client.ofType('TokenExpiring').length > 0);
      expect(Date.now()).toBeGreaterThanOrEqual(first.result.expiresAt - 1000);
      expect(client.ofType('TokenExpiring')[0]).toMatchObject({
        type: 'TokenExpiring',
        room: 'kuzzle:notification:server',
        expiresAt: first.result.expiresAt,
      });
      const refreshed = await client.query({
        controller: 'auth',
        action: 'refreshToken',
        jwt: first.result.jwt,
        expiresIn: '10s',
      });
      expect(refreshed.error).toBeNull();
      await until(() => witness.ofType('TokenExpired').length > 0);
      await publisher.realtime.publish('shop', 'orders', { after: 'expiry' });
      await until(() => client.frames.some((frame) => frame.room === subscription.result.channel));
      expect(client.ofType('TokenExpired')).toHaveLength(0);
    } finally {
      client.socket.close();
      witness.socket.close();
      publisher.disconnect();
    }
  });
});

describe('the %auth channel', () => {
  it('shows an admin every login and a user only their own; nobody may publish on it', async () => {
    await start();
    // Until then every role allows everything, the right to hear every user's events included.
    const http = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await http.connect();
    await http.query({ controller: 'security', action: 'restrictDefaultRights' });
    http.disconnect();
    const boss = await sdk('boss');
    const my = await sdk('my');
    const bossSaw: any[] = [];
    const mySaw: any[] = [];
    try {
      await boss.realtime.subscribe(
        '%auth',
        'events',
        { equals: { event: 'auth:login' } },
        (n: any) => void bossSaw.push(n),
      );
      await my.realtime.subscribe('%auth', 'events', {}, (n: any) => void mySaw.push(n));
      const again = await sdk('my');
      const other = await sdk('other');
      again.disconnect();
      other.disconnect();
      await until(() => bossSaw.length === 2);
      // Events are pushed before the login that caused them is answered: a round trip on my's socket after
      // the last login brings whatever was sent to it.
      await my.server.now({});
      expect(bossSaw.map((n) => n.result._source.kuid).sort()).toEqual(['mylehuong', 'other']);
      expect(bossSaw[0]).toMatchObject({
        type: 'document',
        action: 'publish',
        scope: 'in',
        index: '%auth',
        collection: 'events',
      });
      expect(mySaw.length).toBeGreaterThan(0);
      expect(mySaw.every((n) => n.result._source.kuid === 'mylehuong')).toBe(true);
      expect(mySaw.map((n) => n.result._source.event)).toContain('auth:login');
      await expect(
        my.realtime.publish('%auth', 'events', { event: 'auth:login', kuid: 'boss' }),
      ).rejects.toMatchObject({ status: 403 });
    } finally {
      boss.disconnect();
      my.disconnect();
    }
  });
});

describe('many tokens', () => {
  it('notifies every linked connection exactly once among 10,000 live tokens with spread expiries', async () => {
    await start();
    const issuer = await raw();
    const login = await issuer.query({
      controller: 'auth',
      action: 'login',
      strategy: 'local',
      body: { username: 'other', password: PASSWORD },
    });
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 500 }, (_unused, i) =>
          issuer.query({
            controller: 'auth',
            action: 'createToken',
            jwt: login.result.jwt,
            expiresIn: `${2 + ((batch + i) % 8)}s`,
          }),
        ),
      );
    }
    issuer.socket.close();
    const clients = await Promise.all(Array.from({ length: 50 }, () => raw()));
    try {
      await Promise.all(
        clients.map((client, i) =>
          client.query({
            controller: 'auth',
            action: 'login',
            strategy: 'local',
            expiresIn: `${1000 + i * 20}ms`,
            body: { username: 'my', password: PASSWORD },
          }),
        ),
      );
      await until(() => clients.every((client) => client.ofType('TokenExpired').length > 0));
      await Promise.all(clients.map((client) => client.query({ controller: 'server', action: 'now' })));
      for (const client of clients) expect(client.ofType('TokenExpired')).toHaveLength(1);
    } finally {
      for (const client of clients) client.socket.close();
    }
  }, 90_000);
});

describe('slow consumers', () => {
  it('closes a socket whose client stops reading with 1011, and keeps serving the others', async () => {
    await start({
      server: { websocket: { maxBufferedBytes: 64 * 1024 } },
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    });
    const slow = await raw();
    const publisher = await sdk();
    try {
      await slow.query({
        controller: 'realtime',
        action: 'subscribe',
        index: 'feed',
        collection: 'news',
        body: {},
      });
      const closed = new Promise<number>((resolve) => slow.socket.once('close', resolve));
      // Stop reading: the server's send buffer for this client can only grow from now on.
      (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const payload = 'x'.repeat(10_000);
      for (let i = 0; i < 1500; i++) await publisher.realtime.publish('feed', 'news', { i, payload });
      (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toBe(1011);
      expect(typeof (await publisher.server.now({}))).toBe('number');
    } finally {
      publisher.disconnect();
    }
  }, 60_000);
});
