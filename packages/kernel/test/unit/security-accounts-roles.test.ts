import { createLoopbackNetwork } from '@tessera/cluster';
import type { JsonObject } from '@tessera/plugin-sdk';
import { bootstrapSecurity } from '../../src/security/accounts';
import { openFixture, type Fixture } from './security-accounts-fixture';

const controllers = (value: unknown): JsonObject => ({ controllers: value }) as JsonObject;

describe('RoleRepository', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
    await bootstrapSecurity(fixture.repo);
  });
  afterEach(() => fixture.close());

  const roles = () => fixture.repo.roles;

  describe('validation', () => {
    it.each<[string, JsonObject, string, unknown[]]>([
      ['no controllers', {}, 'api.assert.missing_argument', ['body.controllers']],
      [
        'controllers not an object',
        controllers(['auth']),
        'api.assert.invalid_type',
        ['body.controllers', 'object'],
      ],
      ['empty controllers', controllers({}), 'api.assert.empty_argument', ['body.controllers']],
      [
        'a controller entry not an object',
        controllers({ auth: true }),
        'api.assert.invalid_type',
        ['body.controllers.auth', 'object'],
      ],
      [
        'a controller entry without actions',
        controllers({ auth: {} }),
        'api.assert.missing_argument',
        ['body.controllers.auth.actions'],
      ],
      [
        'empty actions',
        controllers({ auth: { actions: {} } }),
        'api.assert.empty_argument',
        ['body.controllers.auth.actions'],
      ],
      [
        'a right that is not a boolean',
        controllers({ auth: { actions: { login: 'true' } } }),
        'api.assert.invalid_type',
        ['body.controllers.auth.actions.login', 'boolean'],
      ],
      [
        'an unexpected key in a controller entry',
        controllers({ auth: { actions: { login: true }, index: 'i' } }),
        'api.assert.unexpected_argument',
        ['body.controllers.auth.index', 'actions'],
      ],
      [
        'an unknown action of a registered controller',
        controllers({ auth: { actions: { login: true, fly: true } } }),
        'security.role.unknown_action',
        ['r', 'fly', 'auth', expect.any(String)],
      ],
      [
        'an action other than "*" under the "*" controller',
        controllers({ '*': { actions: { login: true } } }),
        'security.role.unknown_action',
        ['r', 'login', '*', expect.any(String)],
      ],
      [
        'an unknown controller',
        controllers({ auth: { actions: { login: true } }, payments: { actions: { pay: true } } }),
        'security.role.unknown_controller',
        ['r', 'payments', expect.any(String)],
      ],
      [
        'an unknown controller with only "*"',
        controllers({ payments: { actions: { '*': true } } }),
        'security.role.unknown_controller',
        ['r', 'payments', expect.any(String)],
      ],
    ])('refuses %s', async (_name, body, id, props) => {
      await expect(roles().create('r', body, null)).rejects.toMatchObject({ id, props });
      await expect(roles().createOrReplace('r', body, null)).rejects.toMatchObject({ id, props });
      expect(await roles().find('r')).toBeNull();
    });

    it('refuses an unknown action of a registered controller even with force', async () => {
      const body = controllers({ auth: { actions: { fly: true } } });
      await expect(roles().create('r', body, null, { force: true })).rejects.toMatchObject({
        id: 'security.role.unknown_action',
      });
    });

    it('accepts an unknown controller with force, and logs a warning', async () => {
      const body = controllers({ payments: { actions: { pay: true } }, auth: { actions: { login: true } } });
      await roles().create('r', body, 'root', { force: true });
      expect((await roles().get('r'))._source.controllers).toEqual(body.controllers);
      expect(fixture.warnings).toEqual([
        { message: expect.any(String), fields: { role: 'r', controller: 'payments' } },
      ]);
    });

    it('accepts "*" as the action of a registered controller and under "*"', async () => {
      const body = controllers({
        auth: { actions: { '*': true, login: false } },
        '*': { actions: { '*': false } },
      });
      const created = await roles().create('r', body, 'root');
      expect(created._source).toEqual({ ...body, _kuzzle_info: expect.objectContaining({ author: 'root' }) });
    });

    it("accepts every action Kuzzle's standard roles and the admin console's revocation name", async () => {
      // Kuzzle 2.56's security.standard.roles.anonymous, as its admin console's "Revoke anonymous rights" sends it.
      const anonymous = controllers({
        '*': { actions: { '*': false } },
        auth: { actions: { checkToken: true, getCurrentUser: true, getMyRights: true, login: true } },
        server: { actions: { publicApi: true, openapi: true } },
      });
      await roles().createOrReplace('anonymous', anonymous, null);
      expect((await roles().get('anonymous'))._source.controllers).toEqual(anonymous.controllers);
    });

    it("accepts the actions of Kuzzle's data, memory storage and admin controllers, served here or not", async () => {
      const body = controllers({
        document: { actions: { search: true, mCreateOrReplace: true } },
        index: { actions: { list: true, create: false } },
        collection: { actions: { list: true, getMapping: true } },
        bulk: { actions: { import: false } },
        ms: { actions: { get: true, zrevrangebyscore: true } },
        memoryStorage: { actions: { hgetall: true } },
        admin: { actions: { loadSecurities: false } },
        realtime: { actions: { validate: true } },
        security: { actions: { scrollUsers: true, refresh: true } },
        server: { actions: { getStats: true, metrics: true } },
        cluster: { actions: { status: true } },
        debug: { actions: { nodeVersion: false } },
      });
      await roles().create('kuzzle-role', body, null);
      expect((await roles().get('kuzzle-role'))._source.controllers).toEqual(body.controllers);
    });

    it.each([
      [
        'an action of Kuzzle controller misspelt',
        { document: { actions: { serach: true } } },
        'serach',
        'document',
      ],
      [
        'an action of a Kuzzle controller Tessera does not serve',
        { ms: { actions: { fly: true } } },
        'fly',
        'ms',
      ],
      [
        'a Kuzzle action under the wrong controller',
        { auth: { actions: { openapi: true } } },
        'openapi',
        'auth',
      ],
    ])('still refuses %s', async (_name, value, action, controller) => {
      await expect(roles().create('r', controllers(value), null, { force: true })).rejects.toMatchObject({
        id: 'security.role.unknown_action',
        props: ['r', action, controller, expect.any(String)],
      });
    });

    it('a controller registered after the role was refused is accepted', async () => {
      const body = controllers({ payments: { actions: { pay: true } } });
      await expect(roles().create('r', body, null)).rejects.toMatchObject({
        id: 'security.role.unknown_controller',
      });
      fixture.registry.register('payments', { pay: { handler: () => null } });
      await roles().create('r', body, null);
      expect(await roles().find('r')).not.toBeNull();
    });

    it.each([
      ['auth:login', { auth: { actions: { login: true } } }],
      ['auth:*', { auth: { actions: { '*': true } } }],
      ['*:*', { '*': { actions: { '*': true } } }],
    ])('lets the anonymous role keep login through %s', async (_name, value) => {
      await roles().createOrReplace('anonymous', controllers(value), null);
      expect((await roles().get('anonymous'))._source.controllers).toEqual(value);
    });

    it.each([
      ['no auth at all', { server: { actions: { now: true } } }],
      ['login false', { auth: { actions: { login: false, logout: true } } }],
      [
        'auth listed without login, "*" elsewhere',
        { auth: { actions: { logout: true } }, '*': { actions: { '*': true } } },
      ],
    ])('refuses an anonymous role without login: %s', async (_name, value) => {
      await expect(roles().createOrReplace('anonymous', controllers(value), null)).rejects.toMatchObject({
        id: 'security.role.login_required',
      });
      await expect(roles().update('anonymous', controllers(value), null)).rejects.toMatchObject({
        id: 'security.role.login_required',
      });
    });
  });

  it('create refuses a taken id with services.storage.document_already_exists, as Kuzzle', async () => {
    await expect(
      roles().create('admin', controllers({ '*': { actions: { '*': true } } }), null),
    ).rejects.toMatchObject({ id: 'services.storage.document_already_exists' });
  });

  it('update replaces the whole content and keeps the creation stamps', async () => {
    await roles().create(
      'r',
      { ...controllers({ auth: { actions: { login: true } } }), tags: ['x'] },
      'creator',
    );
    fixture.clock.now += 1000;
    const updated = await roles().update('r', controllers({ server: { actions: { now: true } } }), 'editor');
    expect(updated._source).toEqual({
      controllers: { server: { actions: { now: true } } },
      _kuzzle_info: {
        author: 'creator',
        creator: 'creator',
        createdAt: fixture.clock.now - 1000,
        updater: 'editor',
        updatedAt: fixture.clock.now,
      },
    });
    await expect(
      roles().update('ghost', controllers({ '*': { actions: { '*': true } } }), null),
    ).rejects.toMatchObject({ id: 'security.role.not_found', props: ['ghost'] });
  });

  describe('delete', () => {
    it.each(['admin', 'default', 'anonymous'])('refuses the protected role %s', async (id) => {
      await expect(roles().delete(id)).rejects.toMatchObject({ id: 'security.role.cannot_delete' });
      expect(await roles().find(id)).not.toBeNull();
    });

    it('refuses a role a profile uses, then deletes it once unused', async () => {
      await roles().create('r', controllers({ auth: { actions: { login: true } } }), null);
      await fixture.repo.profiles.create('p', { policies: [{ roleId: 'default' }, { roleId: 'r' }] }, null);
      await expect(roles().delete('r')).rejects.toMatchObject({ id: 'security.role.in_use', props: ['r'] });
      await fixture.repo.profiles.delete('p', null);
      await roles().delete('r');
      expect(await roles().find('r')).toBeNull();
      await expect(roles().delete('r')).rejects.toMatchObject({
        id: 'security.role.not_found',
        props: ['r'],
      });
    });
  });
});

describe('roles and profiles cache', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
    await bootstrapSecurity(fixture.repo);
  });
  afterEach(() => fixture.close());

  const canLogout = async (profileIds: string[]) =>
    (await fixture.repo.rightsFor({ profileIds })).isActionAllowed({ controller: 'auth', action: 'logout' });

  it('rightsFor reads nothing from the store once profiles and roles are cached', async () => {
    await fixture.repo.rightsFor({ profileIds: ['default', 'admin'] });
    fixture.reads.clear();
    for (let i = 0; i < 50; i += 1) await fixture.repo.rightsFor({ profileIds: ['default', 'admin'] });
    expect(fixture.reads.size).toBe(0);
  });

  it('a role update changes rights at once', async () => {
    expect(await canLogout(['default'])).toBe(true);
    await fixture.repo.roles.update('default', controllers({ auth: { actions: { login: true } } }), null);
    expect(await canLogout(['default'])).toBe(false);
  });

  it('a profile update changes rights at once', async () => {
    await fixture.repo.roles.create('logout', controllers({ auth: { actions: { logout: true } } }), null);
    await fixture.repo.roles.create('nothing', controllers({ auth: { actions: { logout: false } } }), null);
    await fixture.repo.profiles.create('p', { policies: [{ roleId: 'logout' }] }, null);
    expect(await canLogout(['p'])).toBe(true);
    await fixture.repo.profiles.update('p', { policies: [{ roleId: 'nothing' }] }, null);
    expect(await canLogout(['p'])).toBe(false);
  });

  it('a deleted profile grants nothing any more', async () => {
    await fixture.repo.profiles.create('p', { policies: [{ roleId: 'default' }] }, null);
    expect(await canLogout(['p'])).toBe(true);
    await fixture.repo.profiles.delete('p', null);
    expect(await canLogout(['p'])).toBe(false);
  });

  it('cached documents are frozen: a caller cannot change what the next request sees', async () => {
    const role = await fixture.repo.roles.get('default');
    expect(() => {
      (role._source.controllers as Record<string, unknown>)['*'] = { actions: {} };
    }).toThrow(TypeError);
    expect(await canLogout(['default'])).toBe(true);
  });

  it('a role changed on another node of the cluster applies to the next rights check here', async () => {
    const other = await fixture.openNode();
    expect(await canLogout(['default'])).toBe(true);
    await other.roles.update('default', controllers({ auth: { actions: { login: true } } }), null);
    expect(await canLogout(['default'])).toBe(false);
  });

  it('serves the same rights evaluator again while no profile or role changes', async () => {
    const first = await fixture.repo.rightsFor({ profileIds: ['default'] });
    expect(await fixture.repo.rightsFor({ profileIds: ['default'] })).toBe(first);
    expect(await fixture.repo.rightsFor({ profileIds: ['default', 'admin'] })).not.toBe(first);
    await fixture.repo.roles.update('default', controllers({ auth: { actions: { logout: true } } }), null);
    const next = await fixture.repo.rightsFor({ profileIds: ['default'] });
    expect(next).not.toBe(first);
    expect(await fixture.repo.rightsFor({ profileIds: ['default'] })).toBe(next);
  });

  it('keptRights answers at once what rightsFor would, and nothing once a role changed', async () => {
    expect(fixture.repo.keptRights(['default'])).toBeUndefined();
    const rights = await fixture.repo.rightsFor({ profileIds: ['default'] });
    expect(fixture.repo.keptRights(['default'])).toBe(rights);
    await fixture.repo.roles.update('default', controllers({ auth: { actions: { login: true } } }), null);
    expect(fixture.repo.keptRights(['default'])).toBeUndefined();
    expect(await canLogout(['default'])).toBe(false);
  });

  it('answers for what a profile-id array holds now, even when the caller changed it since', async () => {
    await fixture.repo.roles.create('nothing', controllers({ auth: { actions: { logout: false } } }), null);
    await fixture.repo.profiles.create('p', { policies: [{ roleId: 'nothing' }] }, null);
    const profileIds = ['default'];
    expect(await canLogout(profileIds)).toBe(true);
    profileIds[0] = 'p';
    expect(await canLogout(profileIds)).toBe(false);
  });

  it('a node cut from the cluster stops serving kept rights once their documents pass the staleness bound', async () => {
    const network = createLoopbackNetwork({ stalenessBound: 50 });
    const cut = network.join();
    const here = await fixture.openNode({ clusterBus: cut });
    const other = await fixture.openNode({ clusterBus: network.join() });
    const canLogoutHere = async () =>
      (await here.rightsFor({ profileIds: ['default'] })).isActionAllowed({
        controller: 'auth',
        action: 'logout',
      });
    expect(await canLogoutHere()).toBe(true);
    cut.cutSubscription();
    // Resolves once the bound has passed since the cut: this node can have missed the change, not held it longer.
    await other.roles.update('default', controllers({ auth: { actions: { login: true } } }), null);
    expect(await canLogoutHere()).toBe(false);
  });

  it('invalidateCache makes the next read go to the store (a write this node did not hear of)', async () => {
    const other = await fixture.openNode({ detached: true });
    expect(await canLogout(['default'])).toBe(true);
    await other.roles.update('default', controllers({ auth: { actions: { login: true } } }), null);
    expect(await canLogout(['default'])).toBe(true);
    fixture.repo.invalidateCache();
    expect(await canLogout(['default'])).toBe(false);
  });
});
