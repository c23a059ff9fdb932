/**
 * Unsorted searches answer in creation order, as Kuzzle's clients observe it: users, a user's API keys, and the
 * same through the SDK's paging (SearchResult.next), over Http and WebSocket.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const protocols = [
  ['Http', (port: number) => new Http('127.0.0.1', { port })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const;

/** Neither alphabetical nor the order of any random id. */
const CREATED = ['zed', 'amy', 'mid', 'bob', 'yan'];

describe.each(protocols)('default order over %s', (_name, makeProtocol) => {
  let server: TestKernel;
  let kuzzle: Kuzzle;

  beforeEach(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
    kuzzle = new Kuzzle(makeProtocol(server.port));
    await kuzzle.connect();
  });

  afterEach(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  it('lists users in the order they were created, page after page', async () => {
    for (const kuid of CREATED) {
      await kuzzle.security.createUser(kuid, { content: { profileIds: ['default'] }, credentials: {} });
    }
    const all = await kuzzle.security.searchUsers({});
    expect(all.hits.map((user) => user._id)).toEqual(CREATED);

    const seen: string[] = [];
    let page: typeof all | null = await kuzzle.security.searchUsers({}, { size: 2 });
    while (page !== null) {
      seen.push(...page.hits.map((user) => user._id));
      page = await page.next();
    }
    expect(seen).toEqual(CREATED);
  });

  it("lists a user's API keys in the order they were created", async () => {
    await kuzzle.security.createUser('owner', { content: { profileIds: ['default'] }, credentials: {} });
    for (const id of CREATED) {
      await kuzzle.security.createApiKey('owner', `key ${id}`, { _id: id, expiresIn: '1h' });
    }
    const keys = await kuzzle.security.searchApiKeys('owner', {});
    expect(keys.hits.map((key: { _id: string }) => key._id)).toEqual(CREATED);
  });
});
