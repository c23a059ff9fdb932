import { afterEach, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { ADMIN, START, apiRequest, startAuthLocal, wireError, type Harness } from './harness';

const DAY = 86_400_000;

/** The plugin's own error `plugin.auth-local.<name>`, as the client receives it. */
const refused = (status: number, name: string, message: string) => ({
  status,
  id: `plugin.auth-local.${name}`,
  message,
});

describe('password policies', () => {
  let h: Harness;
  afterEach(() => h.close());

  const start = async (...passwordPolicies: Record<string, unknown>[]) => {
    h = await startAuthLocal({ passwordPolicies });
  };
  const create = (username: string, password: string, kuid: string, by: string = ADMIN) =>
    h.methods.create(apiRequest({ user: by }), { username, password }, kuid, 'local');
  const validate = (credentials: Record<string, string>, kuid: string, isUpdate = true) =>
    h.methods.validate(apiRequest(), credentials, kuid, 'local', isUpdate);
  /** As the kernel changes a password: validate, then update. */
  const changePassword = async (kuid: string, password: string, by: string = kuid) => {
    await validate({ password }, kuid);
    await h.methods.update(apiRequest({ user: by }), { password }, kuid, 'local');
  };

  describe('expiresAfter', () => {
    it('refuses a login once the password is older than the policy allows, with a reset token in the error', async () => {
      await start({ appliesTo: '*', expiresAfter: '30d' });
      await create('alice', 'secret-1', 'kuid-alice');

      h.clock.now = START + 30 * DAY - 1;
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
        kind: 'authenticated',
      });

      h.clock.now = START + 30 * DAY;
      const error = await wireError(h.login({ username: 'alice', password: 'secret-1' }));
      expect(error).toMatchObject(refused(401, 'expired_password', 'Expired password'));
      expect(jwt.decode(error['resetToken'] as string)).toMatchObject({
        resetForKuid: 'kuid-alice',
        iss: 'tessera-auth-local',
      });
    });

    it('counts from the last password change, and a wrong password still gets the plain failure', async () => {
      await start({ appliesTo: '*', expiresAfter: 10 * DAY });
      await create('alice', 'secret-1', 'kuid-alice');
      h.clock.now = START + 10 * DAY;
      expect(await h.login({ username: 'alice', password: 'nope' })).toMatchObject({
        kind: 'failed',
        message: 'wrong username or password',
      });

      await changePassword('kuid-alice', 'secret-2');
      h.clock.now += 10 * DAY - 1;
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('takes the strictest of the policies that apply', async () => {
      await start(
        { appliesTo: '*', expiresAfter: '30d' },
        { appliesTo: { roles: ['ops'] }, expiresAfter: '1d' },
      );
      h.identities.set('kuid-ops', { kuid: 'kuid-ops', profileIds: ['operators'], roleIds: ['ops'] });
      await create('alice', 'secret-1', 'kuid-alice');
      await create('olga', 'secret-1', 'kuid-ops');

      h.clock.now = START + DAY;
      expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
        kind: 'authenticated',
      });
      expect(await wireError(h.login({ username: 'olga', password: 'secret-1' }))).toMatchObject(
        refused(401, 'expired_password', 'Expired password'),
      );
    });
  });

  describe('mustChangePasswordIfSetByAdmin', () => {
    it('requires a change at login when someone else set the password, with a reset token in the error', async () => {
      await start({ appliesTo: '*', mustChangePasswordIfSetByAdmin: true });
      await create('alice', 'secret-1', 'kuid-alice', ADMIN);

      const error = await wireError(h.login({ username: 'alice', password: 'secret-1' }));
      expect(error).toMatchObject(refused(401, 'must_change_password', 'Password change required'));
      expect(jwt.decode(error['resetToken'] as string)).toMatchObject({ resetForKuid: 'kuid-alice' });

      await changePassword('kuid-alice', 'secret-2');
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('lets in users who set their own password, and admins whoever set it', async () => {
      await start({ appliesTo: '*', mustChangePasswordIfSetByAdmin: true });
      h.identities.set('kuid-root', { kuid: 'kuid-root', profileIds: ['admin'], roleIds: ['admin'] });
      await create('bob', 'secret-1', 'kuid-bob', 'kuid-bob');
      await create('root', 'secret-1', 'kuid-root', ADMIN);

      expect(await h.login({ username: 'bob', password: 'secret-1' })).toMatchObject({
        kind: 'authenticated',
      });
      expect(await h.login({ username: 'root', password: 'secret-1' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('treats a password an admin changed for the user like one an admin created', async () => {
      await start({ appliesTo: '*', mustChangePasswordIfSetByAdmin: true });
      await create('alice', 'secret-1', 'kuid-alice', 'kuid-alice');
      await changePassword('kuid-alice', 'secret-2', ADMIN);

      expect(await wireError(h.login({ username: 'alice', password: 'secret-2' }))).toMatchObject(
        refused(401, 'must_change_password', 'Password change required'),
      );
    });
  });

  describe('forbidLoginInPassword', () => {
    it('refuses a password containing the login, whatever the case, on creation and update', async () => {
      await start({ appliesTo: '*', forbidLoginInPassword: true });
      expect(
        await wireError(validate({ username: 'alice', password: 'my-ALICE-pw' }, 'kuid-alice', false)),
      ).toMatchObject(refused(400, 'login_in_password', 'Password cannot contain Username'));

      await create('alice', 'secret-1', 'kuid-alice');
      // Without a username in the update, the stored one counts.
      expect(await wireError(validate({ password: 'xxAlicexx' }, 'kuid-alice'))).toMatchObject(
        refused(400, 'login_in_password', 'Password cannot contain Username'),
      );
      await expect(validate({ password: 'secret-2' }, 'kuid-alice')).resolves.toBe(true);
    });

    it('lets the login in the password when no policy forbids it', async () => {
      await start();
      await expect(validate({ username: 'alice', password: 'alice-pw' }, 'kuid-alice', false)).resolves.toBe(
        true,
      );
    });
  });

  describe('forbidReusedPasswordCount', () => {
    it('refuses the current password and the N - 1 before it, and keeps only those hashes', async () => {
      await start({ appliesTo: '*', forbidReusedPasswordCount: 3 });
      await create('alice', 'pw-0', 'kuid-alice');
      await changePassword('kuid-alice', 'pw-1');
      await changePassword('kuid-alice', 'pw-2');

      for (const reused of ['pw-2', 'pw-1', 'pw-0']) {
        expect(await wireError(validate({ password: reused }, 'kuid-alice'))).toMatchObject(
          refused(400, 'reused_password', 'Cannot reuse password'),
        );
      }

      await changePassword('kuid-alice', 'pw-3');
      await expect(validate({ password: 'pw-0' }, 'kuid-alice')).resolves.toBe(true);
      const [stored] = await h.credentials();
      expect(stored?._source.history).toHaveLength(2);
      expect(stored?._source.history.map((entry) => entry.archivedAt)).toEqual([h.clock.now, h.clock.now]);
    });

    it('keeps no history when no policy asks for one', async () => {
      await start();
      await create('alice', 'pw-0', 'kuid-alice');
      await changePassword('kuid-alice', 'pw-1');
      await expect(validate({ password: 'pw-1' }, 'kuid-alice')).resolves.toBe(true);
      expect((await h.credentials())[0]?._source.history).toEqual([]);
    });
  });

  describe('passwordRegex', () => {
    it('refuses a password the pattern does not match, in /pattern/flags form', async () => {
      await start({ appliesTo: '*', passwordRegex: '/^(?=.*[0-9])[a-z0-9]{8,}$/i' });
      expect(
        await wireError(validate({ username: 'alice', password: 'short1' }, 'kuid-alice', false)),
      ).toMatchObject(refused(400, 'weak_password', 'Password is too weak'));
      expect(
        await wireError(validate({ username: 'alice', password: 'no-digits-here' }, 'kuid-alice', false)),
      ).toMatchObject(refused(400, 'weak_password', 'Password is too weak'));
      await expect(
        validate({ username: 'alice', password: 'LONGENOUGH9' }, 'kuid-alice', false),
      ).resolves.toBe(true);
    });

    it('reads a bare pattern too, and answers the same for the same password every time', async () => {
      await start({ appliesTo: '*', passwordRegex: '^.{10,}$' });
      for (let i = 0; i < 3; i += 1) {
        await expect(
          validate({ username: 'alice', password: '0123456789' }, 'kuid-alice', false),
        ).resolves.toBe(true);
        expect(
          await wireError(validate({ username: 'alice', password: '012345678' }, 'kuid-alice', false)),
        ).toMatchObject(refused(400, 'weak_password', 'Password is too weak'));
      }
    });
  });

  describe('appliesTo', () => {
    it.each([
      ['users', { users: ['kuid-alice'] }],
      ['profiles', { profiles: ['staff'] }],
      ['roles', { roles: ['editor'] }],
    ])('applies a policy by %s to those users only', async (_by, appliesTo) => {
      await start({ appliesTo, passwordRegex: '^.{12,}$' });
      h.identities.set('kuid-alice', { kuid: 'kuid-alice', profileIds: ['staff'], roleIds: ['editor'] });
      h.identities.set('kuid-bob', { kuid: 'kuid-bob', profileIds: ['default'], roleIds: ['default'] });

      expect(
        await wireError(validate({ username: 'alice', password: 'short-pw' }, 'kuid-alice', false)),
      ).toMatchObject(refused(400, 'weak_password', 'Password is too weak'));
      await expect(validate({ username: 'bob', password: 'short-pw' }, 'kuid-bob', false)).resolves.toBe(
        true,
      );
      // A user the kernel does not know (yet) holds no profile or role.
      await expect(validate({ username: 'carl', password: 'short-pw' }, 'kuid-carl', false)).resolves.toBe(
        true,
      );
    });
  });
});
