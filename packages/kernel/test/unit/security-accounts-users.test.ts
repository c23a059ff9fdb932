import { ANONYMOUS_USER } from '../../src/security/model';
import { bootstrapSecurity, generateKuid } from '../../src/security/accounts';
import { openFixture, type Fixture } from './security-accounts-fixture';

const HUMAN_KUID = /^kuid-([a-z]+)-([a-z]+)-(\d{1,5})$/;
const UUID_KUID = /^kuid-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('generateKuid', () => {
  it('makes human kuids by default: kuid-<adjective>-<name>-<0..99999>', () => {
    const kuids = Array.from({ length: 200 }, () => generateKuid());
    for (const kuid of kuids) {
      const [, adjective, name, number] = HUMAN_KUID.exec(kuid) ?? [];
      expect(adjective).toBeDefined();
      expect(name).not.toBe(adjective);
      expect(Number(number)).toBeLessThanOrEqual(99_999);
    }
    expect(new Set(kuids).size).toBeGreaterThan(190);
  });

  it('makes kuid-<uuid v4> on request', () => {
    expect(generateKuid('uuid')).toMatch(UUID_KUID);
  });
});

describe('UserRepository', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await openFixture();
    await bootstrapSecurity(fixture.repo);
  });
  afterEach(() => fixture.close());

  const users = () => fixture.repo.users;

  describe('create', () => {
    it('stores the content under the given kuid, stamped with the actor', async () => {
      const user = await users().create({ profileIds: ['default'], name: 'Ada' }, 'admin-1', { id: 'ada' });
      expect(user).toEqual({
        _id: 'ada',
        _source: {
          profileIds: ['default'],
          name: 'Ada',
          _kuzzle_info: {
            author: 'admin-1',
            creator: 'admin-1',
            createdAt: fixture.clock.now,
            updater: null,
            updatedAt: null,
          },
        },
      });
      expect(await users().get('ada')).toEqual(user);
    });

    it('generates a human kuid when none is given, or a uuid one on request', async () => {
      const human = await users().create({ profileIds: ['default'] }, null);
      const uuid = await users().create({ profileIds: ['default'] }, null, { kuid: 'uuid' });
      expect(human._id).toMatch(HUMAN_KUID);
      expect(uuid._id).toMatch(UUID_KUID);
    });

    it('gives 20 parallel creations 20 distinct kuids', async () => {
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) => users().create({ profileIds: ['default'], i }, null)),
      );
      expect(new Set(created.map((user) => user._id)).size).toBe(20);
      expect((await users().search({}, { size: 100 })).total).toBe(20);
    });

    it('refuses a taken kuid with security.user.already_exists', async () => {
      await users().create({ profileIds: ['default'] }, null, { id: 'ada' });
      await expect(users().create({ profileIds: ['admin'] }, null, { id: 'ada' })).rejects.toMatchObject({
        id: 'security.user.already_exists',
        status: 412,
        props: ['ada'],
      });
      expect((await users().get('ada'))._source.profileIds).toEqual(['default']);
    });

    it.each([
      ['missing', {}, 'api.assert.missing_argument', ['body.content.profileIds']],
      ['null', { profileIds: null }, 'api.assert.missing_argument', ['body.content.profileIds']],
      [
        'not an array',
        { profileIds: 'default' },
        'api.assert.invalid_type',
        ['body.content.profileIds', 'array'],
      ],
      ['empty', { profileIds: [] }, 'api.assert.empty_argument', ['body.content.profileIds']],
      [
        'holding a non-string',
        { profileIds: ['default', 3] },
        'api.assert.invalid_type',
        ['body.content.profileIds[1]', 'string'],
      ],
      [
        'naming an unknown profile',
        { profileIds: ['default', 'ghost'] },
        'security.profile.not_found',
        ['ghost'],
      ],
    ])('refuses profileIds %s', async (_name, content, id, props) => {
      await expect(users().create(content, null, { id: 'ada' })).rejects.toMatchObject({ id, props });
      expect(await users().find('ada')).toBeNull();
    });

    it('overwrites a _kuzzle_info sent in the content', async () => {
      const forged = { author: 'someone-else', creator: 'x', createdAt: 1, updater: null, updatedAt: null };
      const user = await users().create({ profileIds: ['default'], _kuzzle_info: forged }, 'me', {
        id: 'ada',
      });
      expect(user._source._kuzzle_info.author).toBe('me');
    });
  });

  describe('the anonymous user', () => {
    it.each(['-1', 'anonymous'])('is what reading %s gives', async (id) => {
      expect(await users().get(id)).toEqual(ANONYMOUS_USER);
      expect(await users().find(id)).toEqual(ANONYMOUS_USER);
    });

    it.each(['-1', 'anonymous'])('cannot be written as %s', async (id) => {
      const refused = { id: 'api.assert.invalid_argument', props: [expect.any(String), expect.any(String)] };
      const content = { profileIds: ['anonymous'] };
      await expect(users().create(content, null, { id })).rejects.toMatchObject(refused);
      await expect(users().createOrReplace(id, content, null)).rejects.toMatchObject(refused);
      await expect(users().replace(id, content, null)).rejects.toMatchObject(refused);
      await expect(users().update(id, { name: 'x' }, null)).rejects.toMatchObject(refused);
      await expect(users().delete(id)).rejects.toMatchObject(refused);
      expect((await users().search()).total).toBe(0);
    });
  });

  describe('get, mGet, search', () => {
    beforeEach(async () => {
      for (const [id, city] of [
        ['u1', 'Paris'],
        ['u2', 'Lyon'],
        ['u3', 'Paris'],
      ] as const) {
        await users().create({ profileIds: ['default'], city }, null, { id });
      }
    });

    it('get answers security.user.not_found for an unknown kuid', async () => {
      await expect(users().get('ghost')).rejects.toMatchObject({
        id: 'security.user.not_found',
        status: 404,
        props: ['ghost'],
      });
    });

    it('mGet keeps the order of the ids, skips unknown ones and knows the anonymous user', async () => {
      const found = await users().mGet(['u3', 'ghost', '-1', 'u1']);
      expect(found.map((user) => user._id)).toEqual(['u3', '-1', 'u1']);
    });

    it('search takes Elasticsearch or Koncorde queries, pages with from/size and gives the true total', async () => {
      const paris = await users().search(
        { query: { term: { city: 'Paris' } }, sort: '_id' },
        { from: 1, size: 1 },
      );
      expect(paris.total).toBe(2);
      expect(paris.hits.map((user) => user._id)).toEqual(['u3']);
      const koncorde = await users().search({ query: { equals: { city: 'Lyon' } } }, { lang: 'koncorde' });
      expect(koncorde.hits.map((user) => user._id)).toEqual(['u2']);
    });
  });

  describe('update, replace, createOrReplace, delete', () => {
    beforeEach(async () => {
      await users().create(
        { profileIds: ['default'], name: 'Ada', address: { city: 'London', zip: 'N1' } },
        'creator',
        { id: 'ada' },
      );
      fixture.clock.now += 5000;
    });

    it('update merges shallowly, keeps the creation stamps and records the updater', async () => {
      const updated = await users().update('ada', { address: { city: 'Paris' }, age: 36 }, 'editor');
      expect(updated._source).toEqual({
        profileIds: ['default'],
        name: 'Ada',
        address: { city: 'Paris' },
        age: 36,
        _kuzzle_info: {
          author: 'creator',
          creator: 'creator',
          createdAt: fixture.clock.now - 5000,
          updater: 'editor',
          updatedAt: fixture.clock.now,
        },
      });
      expect(await users().get('ada')).toEqual(updated);
    });

    it('update checks new profileIds', async () => {
      await expect(users().update('ada', { profileIds: ['ghost'] }, null)).rejects.toMatchObject({
        id: 'security.profile.not_found',
        props: ['ghost'],
      });
      await expect(users().update('ada', { profileIds: [] }, null)).rejects.toMatchObject({
        id: 'api.assert.empty_argument',
        props: ['body.profileIds'],
      });
      const changed = await users().update('ada', { profileIds: ['admin', 'default'] }, null);
      expect(changed._source.profileIds).toEqual(['admin', 'default']);
    });

    it('update of an unknown user is security.user.not_found', async () => {
      await expect(users().update('ghost', { name: 'x' }, null)).rejects.toMatchObject({
        id: 'security.user.not_found',
      });
    });

    it('replace swaps the whole content and starts the stamps over', async () => {
      const replaced = await users().replace('ada', { profileIds: ['admin'], nick: 'ada' }, 'editor');
      expect(replaced._source).toEqual({
        profileIds: ['admin'],
        nick: 'ada',
        _kuzzle_info: {
          author: 'editor',
          creator: 'editor',
          createdAt: fixture.clock.now,
          updater: null,
          updatedAt: null,
        },
      });
    });

    it('replace needs an existing user and profileIds', async () => {
      await expect(users().replace('ghost', { profileIds: ['admin'] }, null)).rejects.toMatchObject({
        id: 'security.user.not_found',
        props: ['ghost'],
      });
      await expect(users().replace('ada', { name: 'x' }, null)).rejects.toMatchObject({
        id: 'api.assert.missing_argument',
        props: ['body.profileIds'],
      });
      expect(await users().find('ghost')).toBeNull();
    });

    it('createOrReplace creates or replaces', async () => {
      await users().createOrReplace('ada', { profileIds: ['admin'] }, 'x');
      await users().createOrReplace('bob', { profileIds: ['default'] }, 'x');
      expect((await users().get('ada'))._source).toEqual({
        profileIds: ['admin'],
        _kuzzle_info: expect.objectContaining({ author: 'x' }),
      });
      expect((await users().get('bob'))._source.profileIds).toEqual(['default']);
    });

    it('delete removes the user; deleting it again is security.user.not_found', async () => {
      await users().delete('ada');
      expect(await users().find('ada')).toBeNull();
      await expect(users().delete('ada')).rejects.toMatchObject({
        id: 'security.user.not_found',
        props: ['ada'],
      });
    });
  });

  it('adminExists tells whether some user has the admin profile', async () => {
    expect(await fixture.repo.adminExists()).toBe(false);
    await users().create({ profileIds: ['default'] }, null, { id: 'u' });
    expect(await fixture.repo.adminExists()).toBe(false);
    await users().create({ profileIds: ['default', 'admin'] }, null, { id: 'root' });
    expect(await fixture.repo.adminExists()).toBe(true);
  });

  describe('cache', () => {
    const readsOf = () => [...fixture.reads.values()].reduce((sum, count) => sum + count, 0);

    it('serves a user read again from memory, frozen', async () => {
      await users().create({ profileIds: ['default'], name: 'Ada' }, null, { id: 'ada' });
      await users().get('ada');
      fixture.reads.clear();
      for (let i = 0; i < 20; i += 1) await users().find('ada');
      expect(readsOf()).toBe(0);
      const user = await users().get('ada');
      expect(() => {
        (user._source as Record<string, unknown>).name = 'Eve';
      }).toThrow(TypeError);
    });

    it('sees an update, a replacement and a deletion at once', async () => {
      await users().create({ profileIds: ['default'], name: 'Ada' }, null, { id: 'ada' });
      await users().get('ada');
      await users().update('ada', { name: 'Ada L.' }, null);
      expect((await users().get('ada'))._source.name).toBe('Ada L.');
      await users().replace('ada', { profileIds: ['admin'] }, null);
      expect((await users().get('ada'))._source.profileIds).toEqual(['admin']);
      await users().delete('ada');
      expect(await users().find('ada')).toBeNull();
    });

    it('sees a write made on another node of the cluster at the next read', async () => {
      await users().create({ profileIds: ['default'] }, null, { id: 'ada' });
      await users().get('ada');
      const other = await fixture.openNode();
      await other.users.update('ada', { profileIds: ['admin'] }, null);
      expect((await users().get('ada'))._source.profileIds).toEqual(['admin']);
    });

    it('sees a write it did not hear of after invalidateCache', async () => {
      await users().create({ profileIds: ['default'] }, null, { id: 'ada' });
      await users().get('ada');
      const other = await fixture.openNode({ detached: true });
      await other.users.update('ada', { profileIds: ['admin'] }, null);
      expect((await users().get('ada'))._source.profileIds).toEqual(['default']);
      fixture.repo.invalidateCache();
      expect((await users().get('ada'))._source.profileIds).toEqual(['admin']);
    });
  });
});
