import {
  STANDARD_PROFILES,
  STANDARD_ROLES,
  applyStandardRights,
  bootstrapSecurity,
  type SecurityRepository,
} from '../../src/security/accounts';
import { openFixture, type Fixture } from './security-accounts-fixture';

const IDS = ['admin', 'anonymous', 'default'];
const ALLOW_EVERYTHING = { controllers: { '*': { actions: { '*': true } } } };

async function contents(repo: SecurityRepository) {
  const roles = await repo.roles.search({ sort: '_id' }, { size: 100 });
  const profiles = await repo.profiles.search({ sort: '_id' }, { size: 100 });
  return { roles, profiles };
}

async function allowed(repo: SecurityRepository, profileId: string, controller: string, action: string) {
  return (await repo.rightsFor({ profileIds: [profileId] })).isActionAllowed({ controller, action });
}

describe('bootstrapSecurity', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
  });
  afterEach(() => fixture.close());

  it('creates exactly the roles and profiles admin, default and anonymous, all allowing everything', async () => {
    const { repo } = fixture;
    expect(await bootstrapSecurity(repo)).toEqual({
      roles: ['admin', 'default', 'anonymous'],
      profiles: ['admin', 'default', 'anonymous'],
    });

    const { roles, profiles } = await contents(repo);
    expect(roles.total).toBe(3);
    expect(profiles.total).toBe(3);
    for (const role of roles.hits) {
      const { _kuzzle_info, ...content } = role._source;
      expect(content).toEqual(ALLOW_EVERYTHING);
      expect(_kuzzle_info).toEqual({
        author: null,
        creator: null,
        createdAt: fixture.clock.now,
        updater: null,
        updatedAt: null,
      });
    }
    expect(
      profiles.hits.map(({ _id, _source: { policies, rateLimit } }) => ({ _id, policies, rateLimit })),
    ).toEqual([
      { _id: 'admin', policies: [{ roleId: 'admin' }], rateLimit: 0 },
      { _id: 'anonymous', policies: [{ roleId: 'anonymous' }], rateLimit: undefined },
      { _id: 'default', policies: [{ roleId: 'default' }], rateLimit: undefined },
    ]);
    // Anonymous must be able to create the first admin.
    for (const id of IDS) expect(await allowed(repo, id, 'security', 'createFirstAdmin')).toBe(true);
  });

  it('is idempotent: a second run creates nothing and changes nothing', async () => {
    const { repo, clock } = fixture;
    await bootstrapSecurity(repo);
    const before = await contents(repo);
    clock.now += 1000;
    expect(await bootstrapSecurity(repo)).toEqual({ roles: [], profiles: [] });
    expect(await contents(repo)).toEqual(before);
  });

  it('leaves existing roles and profiles as they are', async () => {
    const { repo } = fixture;
    await bootstrapSecurity(repo);
    await applyStandardRights(repo, 'root');
    await bootstrapSecurity(repo);
    expect((await repo.roles.get('default'))._source.controllers).toEqual(STANDARD_ROLES.default.controllers);
  });

  it('is safe when two nodes bootstrap the same store at once', async () => {
    const other = await fixture.openNode();
    const [first, second] = await Promise.all([bootstrapSecurity(fixture.repo), bootstrapSecurity(other)]);
    expect([...first.roles, ...second.roles].sort()).toEqual(IDS);
    expect([...first.profiles, ...second.profiles].sort()).toEqual(IDS);
    const { roles, profiles } = await contents(other);
    expect(roles.total).toBe(3);
    expect(profiles.total).toBe(3);
  });

  it('completes a bootstrap interrupted after the roles', async () => {
    const { repo } = fixture;
    for (const id of IDS) await repo.roles.create(id, ALLOW_EVERYTHING, null);
    expect(await bootstrapSecurity(repo)).toEqual({ roles: [], profiles: ['admin', 'default', 'anonymous'] });
  });
});

describe('applyStandardRights', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
    await bootstrapSecurity(fixture.repo);
  });
  afterEach(() => fixture.close());

  it('replaces the roles and profiles with the standard set, stamped with the actor', async () => {
    const { repo } = fixture;
    await applyStandardRights(repo, 'root');
    for (const id of IDS) {
      const role = (await repo.roles.get(id))._source;
      const profile = (await repo.profiles.get(id))._source;
      expect(role).toMatchObject(STANDARD_ROLES[id as keyof typeof STANDARD_ROLES]);
      expect(profile).toMatchObject(STANDARD_PROFILES[id as keyof typeof STANDARD_PROFILES]);
      expect(role._kuzzle_info).toMatchObject({ author: 'root', creator: 'root' });
    }
    expect([STANDARD_PROFILES.admin, STANDARD_PROFILES.default, STANDARD_PROFILES.anonymous]).toEqual([
      { policies: [{ roleId: 'admin' }], rateLimit: 0 },
      { policies: [{ roleId: 'default' }], rateLimit: 10 },
      { policies: [{ roleId: 'anonymous' }], rateLimit: 200 },
    ]);
  });

  it('restricts rights at once, even when the old ones were cached', async () => {
    const { repo } = fixture;
    expect(await allowed(repo, 'anonymous', 'security', 'createUser')).toBe(true);
    await applyStandardRights(repo, 'root');
    expect(await allowed(repo, 'anonymous', 'security', 'createUser')).toBe(false);
    expect(await allowed(repo, 'admin', 'security', 'createUser')).toBe(true);
    expect((await repo.rightsFor({ profileIds: ['anonymous'] })).rateLimit).toBe(200);
  });

  it.each([
    ['anonymous', 'auth', ['checkToken', 'getCurrentUser', 'getMyRights', 'login', 'getStrategies']],
    ['anonymous', 'server', ['publicApi', 'openapi', 'now']],
    [
      'default',
      'auth',
      ['checkToken', 'getCurrentUser', 'getMyRights', 'logout', 'updateSelf', 'refreshToken'],
    ],
    ['default', 'auth', ['getMyCredentials', 'updateMyCredentials', 'createApiKey', 'listMySessions']],
    ['default', 'auth', ['revokeMySession', 'checkRights', 'createToken', 'credentialsExist']],
    ['default', 'server', ['publicApi', 'openapi', 'now', 'healthCheck']],
  ])('profile %s may run %s:%j', async (profileId, controller, actions) => {
    await applyStandardRights(fixture.repo, 'root');
    for (const action of actions)
      expect(await allowed(fixture.repo, profileId, controller, action)).toBe(true);
  });

  it.each([
    ['anonymous', 'auth', ['logout', 'refreshToken', 'updateSelf', 'createApiKey']],
    ['anonymous', 'server', ['healthCheck', 'info', 'getConfig', 'metrics']],
    ['anonymous', 'security', ['createFirstAdmin', 'createUser']],
    ['default', 'auth', ['login']],
    ['default', 'security', ['getUser', 'createUser']],
    ['default', 'document', ['create']],
  ])('profile %s may not run %s:%j', async (profileId, controller, actions) => {
    await applyStandardRights(fixture.repo, 'root');
    for (const action of actions)
      expect(await allowed(fixture.repo, profileId, controller, action)).toBe(false);
  });

  it('can be applied again', async () => {
    const { repo } = fixture;
    await applyStandardRights(repo, 'root');
    await applyStandardRights(repo, 'other-admin');
    expect((await repo.roles.get('default'))._source._kuzzle_info.author).toBe('other-admin');
    expect((await repo.roles.search()).total).toBe(3);
  });
});
