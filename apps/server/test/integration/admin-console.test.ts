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
