import type { JsonObject } from '@tessera/plugin-sdk';
import { bootstrapSecurity } from '../../src/security/accounts';
import { openFixture, type Fixture } from './security-accounts-fixture';

describe('ProfileRepository', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
    await bootstrapSecurity(fixture.repo);
  });
  afterEach(() => fixture.close());

  const profiles = () => fixture.repo.profiles;
  const policy = (extra: JsonObject = {}) => ({ policies: [{ roleId: 'default', ...extra }] });
  const restricted = (restrictedTo: unknown) => policy({ restrictedTo } as JsonObject);

  describe('validation', () => {
    it.each<[string, JsonObject, string, unknown[]]>([
      ['no policies', {}, 'api.assert.missing_argument', ['body.policies']],
      [
        'policies not an array',
        { policies: 'default' },
        'api.assert.invalid_type',
        ['body.policies', 'array'],
      ],
      ['an empty policies array', { policies: [] }, 'api.assert.empty_argument', ['body.policies']],
      [
        'a policy not an object',
        { policies: ['default'] },
        'api.assert.invalid_type',
        ['body.policies[0]', 'object'],
      ],
      [
        'a policy without roleId',
        { policies: [{}] },
        'api.assert.missing_argument',
        ['body.policies[0].roleId'],
      ],
      [
        'a roleId not a string',
        { policies: [{ roleId: 1 }] },
        'api.assert.invalid_type',
        ['body.policies[0].roleId', 'string'],
      ],
      [
        'an unexpected policy key',
        policy({ extra: true }),
        'api.assert.unexpected_argument',
        ['body.policies[0].extra', 'roleId, restrictedTo'],
      ],
      [
        'restrictedTo not an array',
        restricted({ index: 'i' }),
        'api.assert.invalid_type',
        ['body.policies[0].restrictedTo', 'array'],
      ],
      [
        'an empty restrictedTo',
        restricted([]),
        'api.assert.empty_argument',
        ['body.policies[0].restrictedTo'],
      ],
      [
        'a restriction without index',
        restricted([{ collections: ['c'] }]),
        'api.assert.missing_argument',
        ['body.policies[0].restrictedTo[0].index'],
      ],
      [
        'an index not a string',
        restricted([{ index: 3 }]),
        'api.assert.invalid_type',
        ['body.policies[0].restrictedTo[0].index', 'string'],
      ],
      [
        'an unexpected restriction key',
        restricted([{ index: 'i', collection: 'c' }]),
        'api.assert.unexpected_argument',
        ['body.policies[0].restrictedTo[0].collection', 'index, collections'],
      ],
      [
        'collections not an array',
        restricted([{ index: 'i', collections: 'c' }]),
        'api.assert.invalid_type',
        ['body.policies[0].restrictedTo[0].collections', 'array'],
      ],
      [
        'an empty collections array',
        restricted([{ index: 'i', collections: [] }]),
        'api.assert.empty_argument',
        ['body.policies[0].restrictedTo[0].collections'],
      ],
      [
        'a collection not a string',
        restricted([{ index: 'i', collections: ['c', 2] }]),
        'api.assert.invalid_type',
        ['body.policies[0].restrictedTo[0].collections[1]', 'string'],
      ],
      [
        'a rateLimit not a number',
        { ...policy(), rateLimit: '10' },
        'api.assert.invalid_type',
        ['body.rateLimit', 'integer'],
      ],
      [
        'a fractional rateLimit',
        { ...policy(), rateLimit: 1.5 },
        'api.assert.invalid_type',
        ['body.rateLimit', 'integer'],
      ],
      [
        'a negative rateLimit',
        { ...policy(), rateLimit: -1 },
        'api.assert.invalid_argument',
        ['body.rateLimit', 'an integer >= 0'],
      ],
      [
        'an unknown role',
        { policies: [{ roleId: 'default' }, { roleId: 'ghost' }] },
        'security.role.not_found',
        ['ghost'],
      ],
    ])('refuses %s', async (_name, body, id, props) => {
      await expect(profiles().create('p', body, null)).rejects.toMatchObject({ id, props });
      await expect(profiles().createOrReplace('p', body, null)).rejects.toMatchObject({ id, props });
      expect(await profiles().find('p')).toBeNull();
    });

    it('refuses an anonymous profile without the anonymous role', async () => {
      await expect(profiles().createOrReplace('anonymous', policy(), null)).rejects.toMatchObject({
        id: 'security.profile.missing_anonymous_role',
      });
      expect((await profiles().get('anonymous'))._source.policies).toEqual([{ roleId: 'anonymous' }]);
    });

    it('stores a valid profile with its free content', async () => {
      const body: JsonObject = {
        policies: [
          { roleId: 'default', restrictedTo: [{ index: 'i1' }, { index: 'i2', collections: ['c'] }] },
          { roleId: 'admin' },
        ],
        rateLimit: 0,
        tags: ['ops'],
      };
      const created = await profiles().create('ops', body, 'root');
      expect(created._source).toEqual({ ...body, _kuzzle_info: expect.objectContaining({ author: 'root' }) });
    });
  });

  it('create refuses a taken id with services.storage.document_already_exists, as Kuzzle', async () => {
    await expect(profiles().create('default', policy(), null)).rejects.toMatchObject({
      id: 'services.storage.document_already_exists',
    });
  });

  it('get answers security.profile.not_found for an unknown id', async () => {
    await expect(profiles().get('ghost')).rejects.toMatchObject({
      id: 'security.profile.not_found',
      props: ['ghost'],
    });
  });

  it('update merges top-level keys and validates the result', async () => {
    await profiles().create('p', { ...policy(), rateLimit: 5, tags: ['a'] }, 'creator');
    fixture.clock.now += 1000;
    const updated = await profiles().update('p', { rateLimit: 50 }, 'editor');
    expect(updated._source).toEqual({
      policies: [{ roleId: 'default' }],
      rateLimit: 50,
      tags: ['a'],
      _kuzzle_info: {
        author: 'creator',
        creator: 'creator',
        createdAt: fixture.clock.now - 1000,
        updater: 'editor',
        updatedAt: fixture.clock.now,
      },
    });
    await expect(profiles().update('p', { policies: [] }, null)).rejects.toMatchObject({
      id: 'api.assert.empty_argument',
      props: ['body.policies'],
    });
    await expect(profiles().update('ghost', { rateLimit: 1 }, null)).rejects.toMatchObject({
      id: 'security.profile.not_found',
    });
  });

  describe('delete', () => {
    it.each(['admin', 'default', 'anonymous'])('refuses the protected profile %s', async (id) => {
      await expect(profiles().delete(id, null)).rejects.toMatchObject({
        id: 'security.profile.cannot_delete',
      });
      await expect(profiles().delete(id, null, { onAssignedUsers: 'remove' })).rejects.toMatchObject({
        id: 'security.profile.cannot_delete',
      });
      expect(await profiles().find(id)).not.toBeNull();
    });

    it('deletes an unused profile; an unknown one is security.profile.not_found', async () => {
      await profiles().create('p', policy(), null);
      await profiles().delete('p', null);
      expect(await profiles().find('p')).toBeNull();
      await expect(profiles().delete('p', null)).rejects.toMatchObject({ id: 'security.profile.not_found' });
    });

    it('refuses a profile some user has, by default', async () => {
      await profiles().create('p', policy(), null);
      await fixture.repo.users.create({ profileIds: ['p'] }, null, { id: 'u' });
      await expect(profiles().delete('p', null)).rejects.toMatchObject({
        id: 'security.profile.in_use',
        props: ['p'],
      });
      await expect(profiles().delete('p', null, { onAssignedUsers: 'fail' })).rejects.toMatchObject({
        id: 'security.profile.in_use',
      });
      expect(await profiles().find('p')).not.toBeNull();
    });

    it('with onAssignedUsers "remove", takes it from its users, who get anonymous when left with none', async () => {
      const { users } = fixture.repo;
      await profiles().create('p', policy(), null);
      await users.create({ profileIds: ['p', 'default'] }, null, { id: 'both' });
      await users.create({ profileIds: ['p'] }, null, { id: 'only' });
      await users.create({ profileIds: ['default'] }, null, { id: 'other' });

      await profiles().delete('p', 'root', { onAssignedUsers: 'remove' });

      expect(await profiles().find('p')).toBeNull();
      expect((await users.get('both'))._source).toMatchObject({
        profileIds: ['default'],
        _kuzzle_info: { updater: 'root' },
      });
      expect((await users.get('only'))._source.profileIds).toEqual(['anonymous']);
      expect((await users.get('other'))._source._kuzzle_info.updater).toBeNull();
    });
  });
});
