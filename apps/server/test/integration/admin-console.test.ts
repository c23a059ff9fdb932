/**
 * Kuzzle's admin console (kuzzleio/kuzzle-admin-console) against a real server: each call it makes to manage
 * users, profiles and roles, with the bodies its source sends, through kuzzle-sdk as the console uses it
 * (WebSocket), and the HTTP routes kuzzle-sdk's Http protocol builds for the same actions.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const PASSWORD = 'correct horse battery staple';

let server: TestKernel;
let admin: Kuzzle;

beforeAll(async () => {
  server = await startTestKernel({ plugins: builtInPlugins() });
  admin = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
  await admin.connect();
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'admin', password: PASSWORD } } },
    { reset: true },
  );
  await admin.auth.login('local', { username: 'admin', password: PASSWORD });
});

afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

/** A kuzzle-sdk over HTTP, logged in as the admin. */
async function httpAdmin(): Promise<Kuzzle> {
  const client = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await client.connect();
  await client.auth.login('local', { username: 'admin', password: PASSWORD });
  return client;
}

describe('the user content mapping (create user, edit user, the users page)', () => {
  it('getUserMapping answers the mapping the user form is built from', async () => {
    // CreateOrUpdate.vue: `const { mapping } = await wrapper.getMappingUsers(); delete mapping.profileIds`
    const { mapping } = await admin.security.getUserMapping();
    expect(mapping).toEqual({ profileIds: { type: 'keyword' } });
  });

  it('updateUserMapping({properties}) from the "user content mapping" page is kept and merged', async () => {
    // EditCustomMapping.vue -> wrapper.updateMappingUsers(JSON.parse(mappingValue)): `{properties: newMapping}`
    await admin.security.updateUserMapping({
      properties: { name: { type: 'text' }, email: { type: 'keyword' } },
    });
    await admin.security.updateUserMapping({
      properties: { address: { properties: { city: { type: 'text' } } } },
    });
    const { mapping } = await admin.security.getUserMapping();
    expect(mapping).toEqual({
      profileIds: { type: 'keyword' },
      name: { type: 'text' },
      email: { type: 'keyword' },
      address: { properties: { city: { type: 'text' } } },
    });
  });

  it('serves the mapping actions on their HTTP routes, not as users named "_mapping"', async () => {
    const http = await httpAdmin();
    try {
      expect((await http.security.getProfileMapping()).mapping).toHaveProperty('policies');
      expect((await http.security.getRoleMapping()).mapping).toHaveProperty('controllers');
      const updated = await http.security.updateRoleMapping({ properties: { label: { type: 'text' } } });
      expect(updated).toMatchObject({ dynamic: 'false', properties: { label: { type: 'text' } } });
      expect((await http.security.getUserMapping()).mapping).toHaveProperty('profileIds');
    } finally {
      http.disconnect();
    }
  });

  it('refuses a mapping change Elasticsearch would refuse, with its error', async () => {
    await expect(
      admin.security.updateUserMapping({ properties: { profileIds: { type: 'text' } } }),
    ).rejects.toMatchObject({ status: 400, id: 'services.storage.cannot_change_mapping' });
  });
});

describe('"Revoke anonymous rights" (roles page)', () => {
  // Roles/Page.vue revokeAnonymous(): two updateRole calls, with these bodies and `{refresh: 'wait_for'}`.
  const anonymousRole = {
    controllers: {
      '*': { actions: { '*': false } },
      auth: { actions: { checkToken: true, getCurrentUser: true, getMyRights: true, login: true } },
      server: { actions: { publicApi: true, openapi: true } },
    },
  };
  const defaultRole = {
    controllers: {
      '*': { actions: { '*': false } },
      auth: {
        actions: {
          checkToken: true,
          getCurrentUser: true,
          getMyRights: true,
          logout: true,
          updateSelf: true,
        },
      },
      server: { actions: { publicApi: true } },
    },
  };

  it('stores both roles as sent, server:openapi included, and anonymous callers get only those rights', async () => {
    await admin.security.updateRole('anonymous', anonymousRole, { refresh: 'wait_for' });
    await admin.security.updateRole('default', defaultRole, { refresh: 'wait_for' });
    expect((await admin.security.getRole('anonymous')).controllers).toEqual(anonymousRole.controllers);
    expect((await admin.security.getRole('default')).controllers).toEqual(defaultRole.controllers);

    const anonymous = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await anonymous.connect();
    try {
      const rights = await anonymous.auth.getMyRights();
      const allowed = rights
        .filter(({ value }) => value === 'allowed')
        .map((r) => `${r.controller}:${r.action}`);
      expect(allowed.sort()).toEqual([
        'auth:checkToken',
        'auth:getCurrentUser',
        'auth:getMyRights',
        'auth:login',
        'server:openapi',
        'server:publicApi',
      ]);
      await expect(anonymous.security.searchUsers({})).rejects.toMatchObject({
        status: 401,
        id: 'security.rights.unauthorized',
      });
    } finally {
      anonymous.disconnect();
    }
  });

  it('still refuses a misspelt action', async () => {
    await expect(
      admin.security.createRole('typo', { controllers: { server: { actions: { openApi: true } } } }),
    ).rejects.toMatchObject({ status: 400, id: 'security.role.unknown_action' });
  });
});

describe('saving a user (create and edit user)', () => {
  /** A user's own session, on a connection of its own. */
  async function sessionOf(username: string, password: string): Promise<Kuzzle> {
    const client = new Kuzzle(new WebSocket('127.0.0.1', { port: server.port }));
    await client.connect();
    try {
      await client.auth.login('local', { username, password });
      return client;
    } catch (error) {
      client.disconnect();
      throw error;
    }
  }

  it('creates a user with local credentials, who then logs in', async () => {
    // CreateOrUpdate.vue submit(), creation: wrapper.performCreateUser(kuid, {content, credentials}).
    await admin.security.createUser('mylehuong', {
      content: { profileIds: ['default'], name: 'My Le Huong' },
      credentials: { local: { username: 'my', password: PASSWORD } },
    });
    const user = await sessionOf('my', PASSWORD);
    expect((await user.auth.getCurrentUser())._id).toBe('mylehuong');
    user.disconnect();
  });

  it("keeps the user's sessions when a save changes the profiles and sends the unchanged username", async () => {
    const user = await sessionOf('my', PASSWORD);
    try {
      // Edition: replaceUser with the new profiles, then, since local credentials exist, updateCredentials
      // with what getCredentials answered (the username) and the empty password field dropped.
      await admin.security.replaceUser('mylehuong', {
        profileIds: ['default', 'admin'],
        name: 'My Le Huong',
      });
      expect(await admin.security.hasCredentials('local', 'mylehuong')).toBe(true);
      const { kuid: _kuid, ...credentials } = await admin.security.getCredentials('local', 'mylehuong');
      expect(credentials).toEqual({ username: 'my' });
      await admin.security.updateCredentials('local', 'mylehuong', credentials);

      expect(await user.auth.checkToken()).toMatchObject({ valid: true });
      expect((await user.auth.getCurrentUser()).content.profileIds).toEqual(['default', 'admin']);
    } finally {
      user.disconnect();
    }
  });

  it("revokes the user's sessions when a save sets a new password, which then applies", async () => {
    const user = await sessionOf('my', PASSWORD);
    try {
      await admin.security.updateCredentials('local', 'mylehuong', {
        username: 'my',
        password: 'a new passphrase',
      });
      expect(await user.auth.checkToken()).toMatchObject({ valid: false });
    } finally {
      user.disconnect();
    }
    await expect(sessionOf('my', PASSWORD)).rejects.toMatchObject({ status: 401 });
    (await sessionOf('my', 'a new passphrase')).disconnect();
  });
});

describe('the landing page after every login (data indexes)', () => {
  it('index:list answers that there is no data index, over WebSocket and HTTP', async () => {
    // stores/storage-index.ts fetchIndexList(): `await kuzzle.index.list()`
    expect(await admin.index.list()).toEqual([]);
    const http = await httpAdmin();
    try {
      expect(await http.index.list()).toEqual([]);
    } finally {
      http.disconnect();
    }
  });

  it('collection:list lists no stored collection, only the realtime ones with subscribers', async () => {
    // stores/storage-index.ts fetchCollectionList(index): `await kuzzle.collection.list(index.name)`
    expect(await admin.collection.list('shop')).toEqual({ type: 'all', collections: [] });
    const roomId = await admin.realtime.subscribe('shop', 'orders', {}, () => {});
    try {
      expect(await admin.collection.list('shop')).toEqual({
        type: 'all',
        collections: [{ name: 'orders', type: 'realtime' }],
      });
      const stored = await admin.query({
        controller: 'collection',
        action: 'list',
        index: 'shop',
        type: 'stored',
      });
      expect(stored.result).toEqual({ type: 'stored', collections: [] });
    } finally {
      await admin.realtime.unsubscribe(roomId);
    }
  });

  it('refuses the rest of the data API with an error that says why', async () => {
    const notServed = (controller: string, action: string) => ({
      status: 404,
      id: 'api.process.data_api_not_served',
      message: expect.stringContaining(`"${controller}":"${action}"`),
    });
    await expect(admin.document.search('shop', 'orders', {})).rejects.toMatchObject(
      notServed('document', 'search'),
    );
    await expect(admin.index.create('shop')).rejects.toMatchObject(notServed('index', 'create'));
    await expect(admin.collection.getMapping('shop', 'orders')).rejects.toMatchObject(
      notServed('collection', 'getMapping'),
    );
    await expect(admin.ms.get('key')).rejects.toMatchObject(notServed('ms', 'get'));
    await expect(admin.query({ controller: 'index', action: 'nope' })).rejects.toMatchObject({
      id: 'api.process.action_not_found',
    });
  });
});

describe('the profiles page and the users searches', () => {
  it('searchProfiles({roles: []}) lists every profile', async () => {
    // Profiles/List.vue: performSearchProfiles({roles: currentFilter}, {from, size}), roles [] unfiltered;
    // kuzzleWrapper-v1: kuzzle.security.searchProfiles({...filters}, {size: 1000, ...pagination})
    const result = await admin.security.searchProfiles({ roles: [] }, { from: 0, size: 25 });
    expect(result.hits.map((profile) => profile._id).sort()).toEqual(['admin', 'anonymous', 'default']);
    expect(result.total).toBe(3);
  });

  describe('on users', () => {
    beforeAll(async () => {
      for (const [kuid, name, email] of [
        ['ada', 'Ada Lovelace', 'ada@example.com'],
        ['grace', 'Grace Hopper', 'grace@navy.example'],
      ]) {
        await admin.security.createUser(kuid, { content: { profileIds: ['default'], name, email } });
      }
    });

    afterAll(async () => {
      await admin.security.mDeleteUsers(['ada', 'grace']);
    });

    /** kuzzleWrapper-v1 performSearchUsers: `security.searchUsers({...filters, sort}, {...pagination})`. */
    async function searchUsers(filters: object): Promise<string[]> {
      const result = await admin.security.searchUsers({ ...filters, sort: [] }, { from: 0, size: 25 });
      expect(result.total).toBe(result.hits.length);
      return result.hits.map((user) => user._id).sort();
    }

    it("finds users by the quick search's multi_match phrase_prefix over every field, or by id", async () => {
      // kuzzleWrapper-v2 quickSearchToESQuery(searchTerm)
      const quickSearch = (term: string) => ({
        query: {
          bool: {
            should: [
              { multi_match: { query: term, type: 'phrase_prefix', fields: ['*'] } },
              { match: { _id: term } },
            ],
          },
        },
      });
      expect(await searchUsers(quickSearch('lovel'))).toEqual(['ada']);
      expect(await searchUsers(quickSearch('navy'))).toEqual(['grace']);
      expect(await searchUsers(quickSearch('grac'))).toEqual(['grace']);
    });

    it('finds users by the basic filter: "contains" on a text field and on a keyword field', async () => {
      // kuzzleWrapper-v1 basicSearchToESQuery([[filter]], mapping): match_phrase_prefix on a text field,
      // regexp with buildCaseInsensitiveRegexp on a keyword field, range for "equal".
      const basic = (clause: object) => ({
        query: { bool: { should: [{ bool: { must: [clause], must_not: [] } }] } },
      });
      expect(await searchUsers(basic({ match_phrase_prefix: { name: 'hop' } }))).toEqual(['grace']);
      expect(await searchUsers(basic({ regexp: { email: '.*[aA][dD][aA]@[eE][xX]' + '.*' } }))).toEqual([
        'ada',
      ]);
      expect(await searchUsers(basic({ regexp: { profileIds: '.*[dD][eE][fF].*' } }))).toEqual([
        'ada',
        'grace',
        'mylehuong',
      ]);
      expect(
        await searchUsers(basic({ range: { name: { gte: 'Ada Lovelace', lte: 'Ada Lovelace' } } })),
      ).toEqual(['ada']);
    });
  });
});
