/**
 * Issue 12, item 3: a subscription filter whose normalisation is exponential must be refused before it runs.
 * A default user, after `createFirstAdmin` with `reset`, subscribes over raw WebSocket frames and with kuzzle-sdk;
 * each refusal is Kuzzle's `core.realtime.too_many_terms`, and the filters at the bounds are admitted.
 */
import type WebSocketClient from 'ws';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { openRawSocket } from '../wire';

const PASSWORD = 'a long enough passphrase';
const TOO_MANY_TERMS = { status: 413, id: 'core.realtime.too_many_terms', code: 0x00010006 };

let server: TestKernel;
let sockets: WebSocketClient[] = [];

async function start(overrides: Record<string, unknown> = {}): Promise<void> {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: { security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } }, ...overrides },
  });
  const http = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await http.connect();
  await http.security.createFirstAdmin(
    'boss',
    { content: {}, credentials: { local: { username: 'boss', password: PASSWORD } } },
    { reset: true },
  );
  await http.auth.login('local', { username: 'boss', password: PASSWORD });
  await http.security.createUser('mylehuong', {
    content: { profileIds: ['default'] },
    credentials: { local: { username: 'my', password: PASSWORD } },
  });
  http.disconnect();
}

/** A raw WebSocket client logged in as the default user: `subscribe` sends a frame and resolves with its answer. */
async function rawDefaultUser() {
  const client = await openRawSocket(server.port);
  sockets.push(client.socket);
  const login = await client.query({
    controller: 'auth',
    action: 'login',
    strategy: 'local',
    body: { username: 'my', password: PASSWORD },
  });
  const jwt: string = login.result.jwt;
  const subscribe = (body: unknown) =>
    client.query({
      controller: 'realtime',
      action: 'subscribe',
      index: 'shop',
      collection: 'orders',
      body,
      jwt,
    });
  return { subscribe };
}

afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await server.stop();
});

let field = 0;
/** A fresh simple condition. */
const condition = () => ({ equals: { [`field${++field}`]: 'value' } });
const conditions = (count: number) => Array.from({ length: count }, condition);
/** `{or: [{and: [c, c]}, ...]}`: `pairs` alternatives of two conditions each. */
const orOfAnds = (pairs: number) => ({ or: Array.from({ length: pairs }, () => ({ and: conditions(2) })) });
/** `{and: [c, {or: [c, {and: [c, ... {or: [c, c]}]}]}]}`: each level one more group for the truth table. */
const chain = (levels: number, operator: 'and' | 'or' = 'and'): object =>
  levels === 0
    ? { [operator]: conditions(2) }
    : { [operator]: [condition(), chain(levels - 1, operator === 'and' ? 'or' : 'and')] };

describe('a subscription filter is bounded before Koncorde normalises it', () => {
  it('refuses the reported shape (an or of 16 ands, 32 conditions) and admits 8 ands (16 conditions)', async () => {
    await start();
    const client = await rawDefaultUser();

    const refused = await client.subscribe(orOfAnds(16));
    const admitted = await client.subscribe(orOfAnds(8));

    expect(refused.status).toBe(413);
    expect(refused.error).toMatchObject({ ...TOO_MANY_TERMS, props: ['conditions', '16', '32'] });
    expect(refused.error.stack).toBeUndefined();
    expect(admitted.status).toBe(200);
    expect(admitted.result).toEqual({ roomId: expect.any(String), channel: expect.any(String) });
  });

  it('counts conditions as Kuzzle does: each value of an `in` or `ids`, and under `not` and `bool`', async () => {
    await start();
    const client = await rawDefaultUser();
    const values = (count: number) => Array.from({ length: count }, (_, n) => `value-${n}`);

    const answers = await Promise.all(
      [
        { in: { status: values(16) } },
        { in: { status: values(17) } },
        { ids: { values: values(17) } },
        { not: { and: [{ in: { status: values(15) } }, condition(), condition()] } },
        { bool: { must: conditions(8), must_not: conditions(4), should: conditions(4) } },
        {
          bool: {
            must: conditions(8),
            must_not: conditions(4),
            should: conditions(4),
            should_not: [condition()],
          },
        },
      ].map((filter) => client.subscribe(filter)),
    );

    expect(answers.map((answer) => answer.status)).toEqual([200, 413, 413, 413, 200, 413]);
    expect(answers[1].error.props).toEqual(['conditions', '16', '17']);
  });

  it('refuses a filter within the count whose normalisation would still be exponential, and admits the worst at the bound', async () => {
    await start();
    const client = await rawDefaultUser();

    // 16 conditions each, but 15 alternating and/or levels: a truth table of 2^15 rows.
    const deepChain = await client.subscribe(chain(14));
    const notDeepChain = await client.subscribe({ not: chain(14) });
    // 16 conditions whose disjunctive normal form has 4 * 4 * 4 * 4 = 256 terms of 4 conditions.
    const product = await client.subscribe({ and: Array.from({ length: 4 }, () => ({ or: conditions(4) })) });
    // The largest of each shape the bounds admit.
    const admitted = await Promise.all(
      [
        chain(7),
        { not: chain(7) },
        { or: [chain(3), { not: chain(3, 'or') }] },
        { and: Array.from({ length: 5 }, () => ({ or: conditions(2) })) },
        {
          and: [{ in: { a: ['1', '2', '3', '4', '5', '6', '7', '8'] } }, { in: { b: ['1', '2', '3', '4'] } }],
        },
        orOfAnds(8),
      ].map((filter) => client.subscribe(filter)),
    );

    expect(deepChain.error).toMatchObject({ ...TOO_MANY_TERMS, props: ['condition groups', '8', '15'] });
    expect(notDeepChain.error).toMatchObject({ ...TOO_MANY_TERMS, props: ['condition groups', '8', '15'] });
    expect(product.error).toMatchObject({
      ...TOO_MANY_TERMS,
      props: ['conditions once expanded into and-terms', '256', '1024'],
    });
    expect(admitted.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('reaches kuzzle-sdk as a rejected subscribe with Kuzzle`s error, and the connection goes on working', async () => {
    await start();
    const kuzzle = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await kuzzle.auth.login('local', { username: 'my', password: PASSWORD });

      await expect(kuzzle.realtime.subscribe('shop', 'orders', orOfAnds(16), () => {})).rejects.toMatchObject(
        TOO_MANY_TERMS,
      );
      const roomId = await kuzzle.realtime.subscribe('shop', 'orders', orOfAnds(8), () => {});

      expect(typeof roomId).toBe('string');
    } finally {
      kuzzle.disconnect();
    }
  });

  it('follows limits.subscriptionConditionsCount', async () => {
    await start({ limits: { subscriptionConditionsCount: 4 } });
    const client = await rawDefaultUser();

    const five = await client.subscribe({ and: conditions(5) });
    const four = await client.subscribe({ and: conditions(4) });

    expect(five.error).toMatchObject({ ...TOO_MANY_TERMS, props: ['conditions', '4', '5'] });
    expect(four.status).toBe(200);
  });
});
