import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ADMIN, apiRequest, startAuthLocal, wireError, type Harness } from './harness';

/** The plugin's own error `plugin.auth-local.<name>`, as the client receives it. */
const refused = (status: number, name: string, message: string) => ({
  status,
  id: `plugin.auth-local.${name}`,
  message,
});

describe('local credentials', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startAuthLocal();
  });
  afterEach(() => h.close());

  const create = (credentials: Record<string, unknown>, kuid: string) =>
    h.methods.create(apiRequest(), credentials as never, kuid, 'local');
  const update = (credentials: Record<string, unknown>, kuid: string, user: string | null = ADMIN) =>
    h.methods.update(apiRequest({ action: 'updateCredentials', user }), credentials as never, kuid, 'local');
  const validate = (credentials: Record<string, unknown>, kuid: string, isUpdate: boolean) =>
    h.methods.validate(apiRequest(), credentials as never, kuid, 'local', isUpdate);

  describe('create', () => {
    it('stores a bcrypt hash of the configured cost and answers {username, kuid} only', async () => {
      const info = await create({ username: 'alice', password: 'secret-1' }, 'kuid-alice');

      expect(info).toEqual({ username: 'alice', kuid: 'kuid-alice' });
      const [stored, ...others] = await h.credentials();
      expect(others).toHaveLength(0);
      expect(stored?._source).toEqual({
        username: 'alice',
        kuid: 'kuid-alice',
        hash: expect.stringMatching(/^\$2b\$04\$/),
        cost: 4,
        updater: ADMIN,
        createdAt: h.clock.now,
        updatedAt: h.clock.now,
        history: [],
      });
      expect(stored?._source.hash).not.toContain('secret-1');
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toEqual({
        kind: 'authenticated',
        kuid: 'kuid-alice',
      });
    });

    it.each([
      [{ username: 'alice' }, 'password_needed', 'Password needed.'],
      [{ username: 'alice', password: '' }, 'password_needed', 'Password needed.'],
      [{ password: 'secret-1' }, 'username_required', 'Username required.'],
      [
        { username: 'alice', password: 'secret-1', kuid: 'other' },
        'kuid_in_credentials',
        'kuid cannot be specified in credentials.',
      ],
      [{ username: 42, password: 'secret-1' }, 'not_a_string', '"username" must be a string.'],
      [{ username: 'alice', password: ['secret-1'] }, 'not_a_string', '"password" must be a string.'],
    ])('refuses %j (400 %s): %s', async (credentials, name, reason) => {
      expect(await wireError(create(credentials, 'kuid-alice'))).toMatchObject(refused(400, name, reason));
      expect(await h.credentials()).toHaveLength(0);
    });

    it('refuses a password over 72 bytes instead of truncating it, and takes one of exactly 72', async () => {
      // 36 two-byte characters: 72 bytes; one more ASCII character makes 73 bytes in 37 characters.
      const exactly72 = 'é'.repeat(36);
      expect(
        await wireError(create({ username: 'alice', password: `${exactly72}x` }, 'kuid-alice')),
      ).toMatchObject(refused(400, 'password_too_long', 'Password cannot be longer than 72 bytes (UTF-8).'));
      await expect(create({ username: 'alice', password: exactly72 }, 'kuid-alice')).resolves.toEqual({
        username: 'alice',
        kuid: 'kuid-alice',
      });
    });

    it('refuses second credentials for the same user (412)', async () => {
      await create({ username: 'alice', password: 'secret-1' }, 'kuid-alice');
      expect(
        await wireError(create({ username: 'alice2', password: 'secret-2' }, 'kuid-alice')),
      ).toMatchObject(refused(412, 'credentials_exist', 'A strategy already exists for user "kuid-alice".'));
    });

    it('refuses a login another user has (412)', async () => {
      await create({ username: 'alice', password: 'secret-1' }, 'kuid-alice');
      expect(await wireError(create({ username: 'alice', password: 'secret-2' }, 'kuid-bob'))).toMatchObject(
        refused(412, 'login_already_used', 'Login "alice" is already used.'),
      );
    });

    it('lets exactly one of 20 concurrent creations of the same login win; the others get a clean 412', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        create({ username: 'race', password: `secret-${i}` }, `kuid-${i}`),
      );
      const settled = await Promise.allSettled(attempts);

      const won = settled.filter((s) => s.status === 'fulfilled');
      const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const error of lost) {
        expect(JSON.parse(JSON.stringify(error))).toEqual({
          status: 412,
          id: 'plugin.auth-local.login_already_used',
          code: 0x0490000d,
          message: 'Login "race" is already used.',
          props: ['race'],
        });
      }
      const stored = await h.credentials();
      expect(stored).toHaveLength(1);
      expect(stored[0]?._source.username).toBe('race');
    });
  });

  describe('validate', () => {
    it('accepts complete new credentials and answers true', async () => {
      await expect(validate({ username: 'alice', password: 'secret-1' }, 'kuid-alice', false)).resolves.toBe(
        true,
      );
    });

    it.each([
      [
        { username: 'alice', password: 'secret-1', kuid: 'x' },
        false,
        'kuid_in_credentials',
        'kuid cannot be specified in credentials.',
      ],
      [{ password: 'secret-1' }, false, 'username_required', 'Username required.'],
      [{ username: 'alice' }, false, 'password_required', 'Password required.'],
      [{}, true, 'missing_username_or_password', 'Missing username or password.'],
      [
        { currentPassword: 'secret-1' },
        true,
        'missing_username_or_password',
        'Missing username or password.',
      ],
      [
        { username: 'alice', password: 'x'.repeat(73) },
        false,
        'password_too_long',
        'Password cannot be longer than 72 bytes (UTF-8).',
      ],
    ])('refuses %j (update: %s) with 400 %s: %s', async (credentials, isUpdate, name, reason) => {
      expect(await wireError(validate(credentials, 'kuid-alice', isUpdate))).toMatchObject(
        refused(400, name, reason),
      );
    });

    it('refuses a login another user has, and accepts the user keeping their own', async () => {
      await create({ username: 'alice', password: 'secret-1' }, 'kuid-alice');

      expect(
        await wireError(validate({ username: 'alice', password: 'secret-2' }, 'kuid-bob', false)),
      ).toMatchObject(refused(412, 'login_already_used', 'Login "alice" is already used.'));
      await expect(validate({ username: 'alice' }, 'kuid-alice', true)).resolves.toBe(true);
    });

    it('checks no more than it must: an update of the password alone is valid', async () => {
      await create({ username: 'alice', password: 'secret-1' }, 'kuid-alice');
      await expect(validate({ password: 'secret-2' }, 'kuid-alice', true)).resolves.toBe(true);
    });
  });

  describe('changesSecret', () => {
    it.each([
      [{ username: 'alice' }, false],
      [{ username: 'alice', password: '' }, false],
      [{ username: 'renamed' }, false],
      [{ password: 'secret-2' }, true],
      [{ username: 'alice', password: 'secret-2' }, true],
    ])('an update with %j changes a secret: %s', async (credentials, expected) => {
      const changesSecret = h.methods.changesSecret;
      expect(changesSecret).toBeDefined();
      expect(await changesSecret?.(apiRequest(), credentials as never, 'kuid-alice', 'local')).toBe(expected);
    });
  });

  describe('update', () => {
    beforeEach(() => create({ username: 'alice', password: 'secret-1' }, 'kuid-alice'));

    it('replaces the password, records who set it and when, and answers {username, kuid}', async () => {
      h.clock.now += 1000;
      await expect(update({ password: 'secret-2' }, 'kuid-alice', 'kuid-alice')).resolves.toEqual({
        username: 'alice',
        kuid: 'kuid-alice',
      });

      const [stored] = await h.credentials();
      expect(stored?._source).toMatchObject({
        updater: 'kuid-alice',
        updatedAt: h.clock.now,
        createdAt: h.clock.now - 1000,
      });
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({ kind: 'failed' });
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('renames the login in place: the old one is free, the password unchanged', async () => {
      await expect(update({ username: 'alicia' }, 'kuid-alice')).resolves.toEqual({
        username: 'alicia',
        kuid: 'kuid-alice',
      });

      expect(await h.credentials()).toHaveLength(1);
      expect(await h.login({ username: 'alicia', password: 'secret-1' })).toMatchObject({
        kind: 'authenticated',
      });
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({ kind: 'failed' });
      await expect(create({ username: 'alice', password: 'secret-3' }, 'kuid-bob')).resolves.toMatchObject({
        username: 'alice',
      });
    });

    it('refuses a rename to a login another user has (412)', async () => {
      await create({ username: 'bob', password: 'secret-3' }, 'kuid-bob');
      expect(await wireError(update({ username: 'bob' }, 'kuid-alice'))).toMatchObject(
        refused(412, 'login_already_used', 'Login "bob" is already used.'),
      );
    });

    it.each([
      [{}, 'missing_username_or_password', 'Missing username or password.'],
      [
        { password: 'x', kuid: 'kuid-bob' },
        'kuid_in_credentials',
        'kuid cannot be specified in credentials.',
      ],
      [{ password: 'é'.repeat(37) }, 'password_too_long', 'Password cannot be longer than 72 bytes (UTF-8).'],
    ])('refuses %j (400 %s): %s', async (credentials, name, reason) => {
      expect(await wireError(update(credentials, 'kuid-alice'))).toMatchObject(refused(400, name, reason));
    });

    it('answers "No credentials found" (412) for a user without local credentials', async () => {
      expect(await wireError(update({ password: 'secret-2' }, 'kuid-nobody'))).toMatchObject(
        refused(412, 'credentials_not_found', 'No credentials found for user "kuid-nobody".'),
      );
    });
  });

  describe('delete, exists, getInfo, getById', () => {
    beforeEach(() => create({ username: 'alice', password: 'secret-1' }, 'kuid-alice'));

    it('tells whether a user has local credentials', async () => {
      await expect(h.methods.exists(apiRequest(), 'kuid-alice', 'local')).resolves.toBe(true);
      await expect(h.methods.exists(apiRequest(), 'kuid-bob', 'local')).resolves.toBe(false);
    });

    it('deletes the credentials: the login stops working and the login is free again', async () => {
      await h.methods.delete(apiRequest({ action: 'deleteCredentials' }), 'kuid-alice', 'local');

      await expect(h.methods.exists(apiRequest(), 'kuid-alice', 'local')).resolves.toBe(false);
      expect(await h.credentials()).toHaveLength(0);
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({ kind: 'failed' });
    });

    it('answers "No credentials found" (412) when deleting what is not there', async () => {
      expect(await wireError(h.methods.delete(apiRequest(), 'kuid-bob', 'local'))).toMatchObject(
        refused(412, 'credentials_not_found', 'No credentials found for user "kuid-bob".'),
      );
    });

    it('shows {username, kuid} by kuid and by username', async () => {
      await expect(h.methods.getInfo(apiRequest(), 'kuid-alice', 'local')).resolves.toEqual({
        username: 'alice',
        kuid: 'kuid-alice',
      });
      await expect(h.methods.getById(apiRequest(), 'alice', 'local')).resolves.toEqual({
        username: 'alice',
        kuid: 'kuid-alice',
      });
    });

    it('answers "No credentials found" (412) for an unknown kuid or username', async () => {
      expect(await wireError(h.methods.getInfo(apiRequest(), 'kuid-bob', 'local'))).toMatchObject(
        refused(412, 'credentials_not_found', 'No credentials found for user "kuid-bob".'),
      );
      expect(await wireError(h.methods.getById(apiRequest(), 'bob', 'local'))).toMatchObject(
        refused(412, 'username_not_found', 'No credentials found for username "bob".'),
      );
    });
  });

  describe('search', () => {
    beforeEach(async () => {
      for (const [username, kuid] of [
        ['alice', 'k1'],
        ['albert', 'k2'],
        ['bob', 'k3'],
      ] as const) {
        await create({ username, password: `secret-${username}` }, kuid);
      }
    });

    it('finds by username or kuid and answers {username, kuid} hits with the total', async () => {
      await expect(
        h.methods.search({ query: { term: { username: 'bob' } } }, { from: 0, size: 10 }),
      ).resolves.toEqual({
        hits: [{ username: 'bob', kuid: 'k3' }],
        total: 1,
      });
      await expect(
        h.methods.search({ query: { terms: { kuid: ['k1', 'k3'] } } }, { from: 0, size: 10 }),
      ).resolves.toMatchObject({
        total: 2,
      });
    });

    it('takes bool queries, prefixes, sorts and paging', async () => {
      const body = {
        query: {
          bool: { must: [{ prefix: { username: 'al' } }], must_not: [{ match: { kuid: { query: 'k9' } } }] },
        },
        sort: [{ username: { order: 'desc' } }],
      };
      await expect(h.methods.search(body, { from: 0, size: 10 })).resolves.toEqual({
        hits: [
          { username: 'alice', kuid: 'k1' },
          { username: 'albert', kuid: 'k2' },
        ],
        total: 2,
      });
      await expect(h.methods.search({ sort: ['username'] }, { from: 1, size: 1 })).resolves.toEqual({
        hits: [{ username: 'alice', kuid: 'k1' }],
        total: 3,
      });
    });

    const field = (name: string) =>
      refused(
        403,
        'forbidden_search_field',
        `Forbidden field "${name}". Only "username" and "kuid" can be searched.`,
      );
    const keyword = (name: string) =>
      refused(400, 'forbidden_search_keyword', `Forbidden keyword "${name}".`);
    it.each([
      [{ query: { term: { hash: 'x' } } }, field('hash')],
      [{ query: { bool: { filter: [{ prefix: { 'history.hash': '$2b' } }] } } }, field('history.hash')],
      [{ sort: [{ updatedAt: 'asc' }] }, field('updatedAt')],
      [{ sort: 'cost' }, field('cost')],
      [{ query: { range: { username: { gte: 'a' } } } }, keyword('range')],
      [{ query: { exists: { field: 'hash' } } }, keyword('exists')],
      [{ sort: { username: { order: 'asc', mode: 'min' } } }, keyword('mode')],
    ])('refuses %j', async (body, expected) => {
      expect(await wireError(h.methods.search(body as never, { from: 0, size: 10 }))).toMatchObject(expected);
    });
  });
});
