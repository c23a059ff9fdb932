/**
 * What a cluster of two nodes must do, whatever carries it: the "Done when" list of issue 15, driven with the
 * real kuzzle-sdk (and a raw WebSocket where the SDK hides frames) against node A and node B. Each suite file
 * says how its two nodes are started: in one process over the loopback network, or as two server processes on
 * PostgreSQL and Redis. Everything is asserted by order and behaviour; timings belong to `npm run bench`.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { openRawSocket, type RawSocket } from '../wire';

export interface TwoNodes {
  readonly portA: number;
  readonly portB: number;
  stop(): Promise<void>;
}

/** Starts a fresh cluster of two nodes whose config has `overrides` applied. */
export type StartTwoNodes = (overrides: Record<string, unknown>) => Promise<TwoNodes>;

export const PASSWORD = 'a long enough passphrase';
/** The refresh grace period of the refresh test: the old token must be presented after it. */
const GRACE = 500;
const NO_LOGIN_LIMITS = { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } } };

export async function http(port: number, jwt?: string): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(new Http('127.0.0.1', { port }));
  await kuzzle.connect();
  if (jwt !== undefined) kuzzle.jwt = jwt;
  return kuzzle;
}

export async function websocket(port: number): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port }));
  await kuzzle.connect();
  return kuzzle;
}

export function user(username: string, profileIds = ['default']) {
  return { content: { profileIds }, credentials: { local: { username, password: PASSWORD } } };
}

export async function login(port: number, username: string, password = PASSWORD): Promise<string> {
  const kuzzle = await http(port);
  try {
    return await kuzzle.auth.login('local', { username, password });
  } finally {
    kuzzle.disconnect();
  }
}

/** The first frame of `type` the client received, waiting for it if it has not come yet. */
export function frameOf(client: RawSocket, type: string): Promise<any> {
  const [already] = client.ofType(type);
  if (already !== undefined) return Promise.resolve(already);
  return new Promise((resolve) => {
    const listener = () => {
      const [frame] = client.ofType(type);
      if (frame === undefined) return;
      client.socket.off('message', listener);
      resolve(frame);
    };
    client.socket.on('message', listener);
  });
}

/** The error an SDK call rejects with (fails the test when it resolves). */
async function failure(call: Promise<unknown>): Promise<{ status: number; id: string }> {
  try {
    await call;
  } catch (error) {
    return error as { status: number; id: string };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Resolves once the wall clock has moved past `since` (the servers compare milliseconds). */
async function pastMillisecond(since: number): Promise<void> {
  while (Date.now() <= since) await new Promise((resolve) => setImmediate(resolve));
}

export function describeTwoNodeCluster(start: StartTwoNodes): void {
  let cluster: TwoNodes | null = null;
  const clients: { disconnect(): void }[] = [];
  const sockets: RawSocket[] = [];

  const startCluster = async (overrides: Record<string, unknown> = NO_LOGIN_LIMITS) => {
    cluster = await start(overrides);
    const admin = await http(cluster.portA);
    await admin.security.createUser('ada', user('ada'));
    await admin.security.createUser('boss', user('boss', ['admin']));
    admin.disconnect();
    return cluster;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    for (const socket of sockets.splice(0)) socket.socket.close();
    await cluster?.stop();
    cluster = null;
  });

  it('refuses on B a token logged out globally on A, and B’s socket holding it hears TokenExpired (revoked)', async () => {
    const { portA, portB } = await startCluster();
    const jwt = await login(portA, 'ada');
    const onB = await http(portB, jwt);
    clients.push(onB);
    expect((await onB.auth.getCurrentUser())._id).toBe('ada');
    const socket = await openRawSocket(portB);
    sockets.push(socket);
    const subscribed = await socket.query({
      controller: 'realtime',
      action: 'subscribe',
      index: 'shop',
      collection: 'orders',
      body: {},
      jwt,
    });
    expect(subscribed.status).toBe(200);

    const onA = await http(portA, jwt);
    clients.push(onA);
    await onA.query({ controller: 'auth', action: 'logout', global: true });

    expect(await failure((await http(portB, jwt)).auth.getCurrentUser())).toMatchObject({
      status: 401,
      id: 'security.token.invalid',
    });
    expect(await frameOf(socket, 'TokenExpired')).toMatchObject({ type: 'TokenExpired', reason: 'revoked' });
  });

  it('shows an admin subscribed to %auth on B a login made on A', async () => {
    const { portA, portB } = await startCluster();
    const boss = await websocket(portB);
    clients.push(boss);
    await boss.auth.login('local', { username: 'boss', password: PASSWORD });
    let heard: (notification: any) => void = () => {};
    const seen = new Promise<any>((resolve) => (heard = resolve));
    // In place once the call resolved: only then does A see the login.
    await boss.realtime.subscribe('%auth', 'events', { equals: { kuid: 'ada' } }, (n: any) => heard(n));
    await login(portA, 'ada');
    expect((await seen).result._source).toMatchObject({ event: 'auth:login', kuid: 'ada' });
  });

  it('delivers a publication made on A to a subscriber on B', async () => {
    const { portA, portB } = await startCluster();
    const [subscriber, publisher] = [await websocket(portB), await websocket(portA)];
    clients.push(subscriber, publisher);
    let heard: (notification: any) => void = () => {};
    const seen = new Promise<any>((resolve) => (heard = resolve));
    await subscriber.realtime.subscribe('shop', 'orders', {}, (n: any) => heard(n));
    await publisher.realtime.publish('shop', 'orders', { item: 'tea' });
    expect(await seen).toMatchObject({
      type: 'document',
      index: 'shop',
      result: { _source: { item: 'tea' } },
    });
  });

  it('applies a role changed on A to the next request on B', async () => {
    const { portA, portB } = await startCluster();
    const admin = await http(portA);
    clients.push(admin);
    const rights = (now: boolean) => ({
      controllers: { auth: { actions: { '*': true } }, server: { actions: { now } } },
    });
    await admin.security.createRole('clock-reader', rights(true));
    await admin.security.createProfile('reader', { policies: [{ roleId: 'clock-reader' }] });
    await admin.security.createUser('reader', user('reader', ['reader']));
    const jwt = await login(portB, 'reader');
    const onB = await http(portB, jwt);
    clients.push(onB);
    expect(typeof (await onB.server.now({}))).toBe('number');

    await admin.security.updateRole('clock-reader', rights(false));

    expect(await failure(onB.server.now({}))).toMatchObject({ status: 403 });
  });

  it('kills a deleted user’s token on both nodes', async () => {
    const { portA, portB } = await startCluster();
    const jwt = await login(portA, 'ada');
    const [onA, onB] = [await http(portA, jwt), await http(portB, jwt)];
    clients.push(onA, onB);
    expect((await onA.auth.getCurrentUser())._id).toBe('ada');
    expect((await onB.auth.getCurrentUser())._id).toBe('ada');

    const admin = await http(portA);
    clients.push(admin);
    await admin.security.deleteUser('ada');

    for (const port of [portA, portB]) {
      expect(await failure((await http(port, jwt)).auth.getCurrentUser())).toMatchObject({ status: 401 });
    }
  });

  it('lets exactly one of two concurrent refreshes on A and B succeed; reusing the old token revokes the chain on both', async () => {
    const { portA, portB } = await startCluster({
      security: { jwt: { gracePeriod: GRACE }, login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
    });
    const jwt = await login(portA, 'ada');
    const refresh = (port: number) =>
      http(port, jwt)
        .then((kuzzle) => kuzzle.query({ controller: 'auth', action: 'refreshToken' }))
        .then(
          (response) => ({ ok: true as const, jwt: response.result.jwt as string }),
          (error: { id: string }) => ({ ok: false as const, id: error.id }),
        );
    const outcomes = await Promise.all([refresh(portA), refresh(portB)]);
    const refreshedBy = Date.now();
    const won = outcomes.filter((outcome) => outcome.ok);
    expect(won).toHaveLength(1);
    expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, id: 'security.token.invalid' });
    const fresh = (won[0] as { jwt: string }).jwt;
    expect((await (await http(portB, fresh)).auth.getCurrentUser())._id).toBe('ada');

    // Past the grace period, the old token can only be a copy in someone else's hands.
    await pastMillisecond(refreshedBy + GRACE);
    expect(await failure((await http(portB, jwt)).auth.getCurrentUser())).toMatchObject({ status: 401 });
    for (const port of [portA, portB]) {
      expect(await failure((await http(port, fresh)).auth.getCurrentUser())).toMatchObject({ status: 401 });
    }
  });

  it('counts failed logins on A and B against one budget', async () => {
    const { portA, portB } = await startCluster({
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 3, lockoutThreshold: 0 } },
    });
    for (const port of [portA, portB, portA]) {
      expect(await failure(login(port, 'ada', 'wrong password'))).toMatchObject({ status: 401 });
    }
    expect(await failure(login(portB, 'ada'))).toMatchObject({
      status: 429,
      id: 'api.process.too_many_logins_requests',
    });
  });

  it('locks a username after failures spread over A and B; unlockLogins on A unlocks it on B', async () => {
    const { portA, portB } = await startCluster({
      security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0, lockoutThreshold: 3 } },
    });
    for (const port of [portA, portB, portA]) {
      expect(await failure(login(port, 'ada', 'wrong password'))).toMatchObject({ status: 401 });
    }
    expect(await failure(login(portB, 'ada'))).toMatchObject({ status: 403, id: 'security.user.locked' });

    const admin = await http(portA);
    clients.push(admin);
    await admin.query({ controller: 'security', action: 'unlockLogins', body: { username: 'ada' } });

    expect(typeof (await login(portB, 'ada'))).toBe('string');
  });
}
