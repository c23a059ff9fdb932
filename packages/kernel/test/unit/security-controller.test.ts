/**
 * The security controller's logic that end-to-end tests reach poorly: m* deletes with partial failures, what
 * deleting a user takes with it, upsertUser's two paths, one first admin under concurrency, and the search
 * filters evaluated outside the store. Requests go through the real Funnel to the real services.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ConnectionInfo, DocumentCollection } from '@tessera/plugin-sdk';
import { Funnel } from '../../src/api/funnel';
import type { Request } from '../../src/api/request';
import { securityController } from '../../src/controllers/security-controller';
import { ADMIN, openHarness, type Harness, type TestCredentials } from './security-services-fixture';

let harness: Harness;
let funnel: Funnel;
let store: DocumentCollection<TestCredentials>;

const connection: ConnectionInfo = {
  id: 'connection-1',
  protocol: 'websocket',
  address: '127.0.0.1',
  ips: ['127.0.0.1'],
  headers: {},
};

beforeEach(async () => {
  harness = await openHarness();
  store = await harness.addStrategy('test');
  harness.registry.register('security', securityController(harness.services));
  funnel = new Funnel({
    registry: harness.registry,
    bus: harness.services.bus,
    log: harness.services.log,
    // Every request is the admin's: rights are the funnel's business, tested on their own.
    authorizer: {
      authorize: (request: Request) => {
        request.user = ADMIN;
        return Promise.resolve();
      },
    },
    limits: { concurrentRequests: 100, requestsBufferSize: 1000 },
  });
});

afterEach(async () => {
  await harness.close();
});

function call(action: string, envelope: Record<string, unknown> = {}): Promise<Request> {
  return funnel.execute({ controller: 'security', action, ...envelope }, connection);
}

async function succeed(action: string, envelope: Record<string, unknown> = {}): Promise<any> {
  const request = await call(action, envelope);
  expect(request.error).toBeNull();
  return request.result;
}

async function createUser(id: string, username = id): Promise<void> {
  await succeed('createUser', {
    _id: id,
    body: { content: { profileIds: ['default'] }, credentials: { test: { username, password: 'secret' } } },
  });
}

describe('mDeleteUsers', () => {
  it('deletes what it can and answers a 206 partial error naming each failure and what was deleted', async () => {
    await createUser('ann');
    await createUser('bob');

    const request = await call('mDeleteUsers', { body: { ids: ['ann', 'ghost', 'bob'] } });

    expect(request.status).toBe(206);
    expect(request.error?.toJSON()).toMatchObject({
      id: 'services.storage.incomplete_delete',
      code: 0x01010009,
      props: ['ghost'],
      count: 1,
      deleted: ['ann', 'bob'],
      errors: [{ _id: 'ghost', error: { id: 'security.user.not_found', status: 404 } }],
    });
    expect(await harness.userCount()).toBe(0);
    expect((await store.search({})).total).toBe(0);
  });

  it('answers the deleted ids when every deletion succeeds', async () => {
    await createUser('ann');

    expect(await succeed('mDeleteUsers', { body: { ids: ['ann'] } })).toEqual(['ann']);
  });

  it('refuses more than 200 ids before deleting any', async () => {
    await createUser('ann');
    const ids = ['ann', ...Array.from({ length: 200 }, (_, i) => `user-${i}`)];

    const request = await call('mDeleteUsers', { body: { ids } });

    expect(request.error?.id).toBe('services.storage.write_limit_exceeded');
    expect(await harness.userCount()).toBe(1);
  });
});

describe('deleteUser', () => {
  it("takes the user's credentials, API keys and tokens with it, then emits user:deleted", async () => {
    await createUser('ann');
    const { tokens } = harness.services;
    const token = await tokens.issue('ann');
    const key = await tokens.createApiKey('ann', { description: 'ci' });
    harness.events.length = 0;

    expect(await succeed('deleteUser', { _id: 'ann' })).toEqual({ _id: 'ann' });

    expect((await store.search({})).total).toBe(0);
    await expect(tokens.verify(token.jwt)).rejects.toMatchObject({ id: 'security.token.invalid' });
    await expect(tokens.verify(key._source.token)).rejects.toMatchObject({ id: 'security.token.invalid' });
    expect(harness.events.at(-1)).toEqual({
      event: 'user:deleted',
      payload: { kuid: 'ann', author: ADMIN._id },
    });
    expect((await call('getUser', { _id: 'ann' })).error?.id).toBe('security.user.not_found');
  });

  it('refuses the built-in anonymous user', async () => {
    expect((await call('deleteUser', { _id: '-1' })).error?.id).toBe('api.assert.invalid_argument');
  });
});

describe('upsertUser', () => {
  it('creates a missing user from default and content, with its credentials', async () => {
    const user = await succeed('upsertUser', {
      _id: 'ann',
      body: {
        content: { profileIds: ['default'], name: 'Ann' },
        default: { name: 'Anonymous Ann', team: 'blue' },
        credentials: { test: { username: 'ann', password: 'secret' } },
      },
    });

    expect(user._source).toMatchObject({ profileIds: ['default'], name: 'Ann', team: 'blue' });
    expect((await store.search({})).hits.map((hit) => hit._source.kuid)).toEqual(['ann']);
    expect(harness.events.map(({ event }) => event)).toContain('user:created');
  });

  it('merges content into an existing user, leaving default and credentials aside', async () => {
    await createUser('ann');

    const user = await succeed('upsertUser', {
      _id: 'ann',
      body: {
        content: { name: 'Ann' },
        default: { team: 'blue' },
        credentials: { test: { username: 'another', password: 'x' } },
      },
    });

    expect(user._source).toMatchObject({ profileIds: ['default'], name: 'Ann' });
    expect(user._source.team).toBeUndefined();
    expect((await store.search({})).hits.map((hit) => hit._source.username)).toEqual(['ann']);
  });
});

describe('createFirstAdmin', () => {
  it('creates one admin when called concurrently; the other calls answer admin_exists', async () => {
    const requests = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        call('createFirstAdmin', {
          _id: name,
          body: { credentials: { test: { username: name, password: 'x' } } },
        }),
      ),
    );

    expect(requests.filter((request) => request.error === null)).toHaveLength(1);
    expect(requests.filter((request) => request.error?.id === 'api.process.admin_exists')).toHaveLength(2);
    expect(await harness.userCount()).toBe(1);
  });

  it.each([
    ['without reset', {}],
    ['with reset', { reset: true }],
  ])('applies the standard rights %s, so anonymous callers lose theirs', async (_, args) => {
    const anonymous = () => harness.services.accounts.rightsFor({ profileIds: ['anonymous'] });
    const createUser = { controller: 'security', action: 'createUser', index: null, collection: null };
    expect((await anonymous()).isActionAllowed(createUser)).toBe(true);
    await succeed('createFirstAdmin', {
      _id: 'root',
      ...args,
      body: { credentials: { test: { username: 'root', password: 'x' } } },
    });
    expect((await anonymous()).isActionAllowed(createUser)).toBe(false);
  });

  it('refuses content.profileIds: the first admin is an admin', async () => {
    const request = await call('createFirstAdmin', { body: { content: { profileIds: ['default'] } } });

    expect(request.error?.toJSON()).toMatchObject({
      id: 'api.assert.forbidden_argument',
      props: ['body.content.profileIds'],
    });
  });
});

describe('searchProfiles and searchRoles, with Kuzzle list filters', () => {
  beforeEach(async () => {
    const { roles, profiles } = harness.services.accounts;
    const options = { skipRegistryCheck: true };
    await roles.create('reader', { controllers: { document: { actions: { get: true } } } }, null, options);
    await roles.create('writer', { controllers: { document: { actions: { create: true } } } }, null, options);
    for (const id of ['p1', 'p2', 'p3'])
      await profiles.create(id, { policies: [{ roleId: 'reader' }] }, null);
    await profiles.create('p4', { policies: [{ roleId: 'writer' }] }, null);
  });

  it('pages the profiles holding one of the roles, with the true total', async () => {
    const result = await succeed('searchProfiles', { body: { roles: ['reader'] }, from: 1, size: 1 });

    expect(result.total).toBe(3);
    expect(result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['p2']);
  });

  it('finds the roles with an entry for a controller, and those allowing every controller', async () => {
    const result = await succeed('searchRoles', { body: { controllers: ['document'] } });

    // The bootstrap's admin, default and anonymous roles allow "*".
    expect(result.hits.map((hit: { _id: string }) => hit._id).sort()).toEqual([
      'admin',
      'anonymous',
      'default',
      'reader',
      'writer',
    ]);
    expect(result.hits[0]._source.controllers).toBeDefined();
  });

  it('reads an empty roles list as no filter, as Kuzzle does', async () => {
    const result = await succeed('searchProfiles', { body: { roles: [] } });

    expect(result.total).toBe(7);
    expect(result.hits.map((hit: { _id: string }) => hit._id)).toEqual(
      expect.arrayContaining(['p1', 'p2', 'p3', 'p4', 'admin', 'default', 'anonymous']),
    );
  });

  it('reads an empty controllers list as no filter, as Kuzzle does', async () => {
    const result = await succeed('searchRoles', { body: { controllers: [] } });

    expect(result.hits.map((hit: { _id: string }) => hit._id).sort()).toEqual([
      'admin',
      'anonymous',
      'default',
      'reader',
      'writer',
    ]);
  });

  it('refuses a list filter together with a query', async () => {
    const request = await call('searchRoles', {
      body: { controllers: ['document'], query: { match_all: {} } },
    });

    expect(request.error?.id).toBe('api.assert.mutually_exclusive');
  });
});

describe('searchUsers', () => {
  it('refuses scroll and says to page with from and size', async () => {
    const request = await call('searchUsers', { scroll: '10s', body: {} });

    expect(request.error?.id).toBe('api.assert.invalid_argument');
    expect(request.error?.message).toContain('"from" and "size"');
  });

  it('answers every match by default, with the true total', async () => {
    for (const id of ['ann', 'bob', 'cat']) await createUser(id);

    const result = await succeed('searchUsers', { body: { query: { match_all: {} } } });

    expect(result.total).toBe(3);
    expect(result.hits).toHaveLength(3);
  });
});
