import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { apiRequest, startAuthLocal, wireError, type Harness, type PluginInstance } from './harness';

/** The plugin's own error `plugin.auth-local.<name>`, as the client receives it. */
const refused = (status: number, name: string, message: string) => ({
  status,
  id: `plugin.auth-local.${name}`,
  message,
});

describe('reset-password flow', () => {
  let h: Harness;
  afterEach(() => h.close());

  const start = async (config: Record<string, unknown> = {}) => {
    h = await startAuthLocal(config);
    await h.methods.create(apiRequest(), { username: 'alice', password: 'secret-1' }, 'kuid-alice', 'local');
  };
  const tokenFor = async (kuid: string, plugin: PluginInstance = h) =>
    (
      (await plugin.action('getResetPasswordToken', apiRequest({ args: { _id: kuid } }))) as {
        resetToken: string;
      }
    ).resetToken;
  const reset = (body: Record<string, unknown> | null, plugin: PluginInstance = h) =>
    plugin.action('reset', apiRequest({ action: 'reset', body: body as never, user: '-1' }));

  it('registers the password controller with Kuzzle’s routes', async () => {
    await start();
    expect(h.routes).toEqual([
      {
        verb: 'GET',
        path: '/_/password/resetToken/:_id',
        controller: 'auth-local/password',
        action: 'getResetPasswordToken',
      },
      { verb: 'POST', path: '/_/password/reset', controller: 'auth-local/password', action: 'reset' },
    ]);
  });

  describe('getResetPasswordToken', () => {
    it('answers a JWT for the kuid, issued by the plugin, expiring after resetPasswordExpiresIn (default 2h)', async () => {
      await start();
      const token = await tokenFor('kuid-alice');
      const claims = jwt.decode(token) as Record<string, unknown>;
      expect(claims).toMatchObject({ resetForKuid: 'kuid-alice', iss: 'tessera-auth-local' });
      expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(2 * 3600);
    });

    it('reads resetPasswordExpiresIn as milliseconds', async () => {
      await start({ resetPasswordExpiresIn: 90_000 });
      const claims = jwt.decode(await tokenFor('kuid-alice')) as Record<string, number>;
      expect(claims['exp']! - claims['iat']!).toBe(90);
    });

    it('issues tokens that never expire with -1', async () => {
      await start({ resetPasswordExpiresIn: -1 });
      expect(jwt.decode(await tokenFor('kuid-alice'))).not.toHaveProperty('exp');
    });

    it.each([
      [{}, 'missing_kuid', 'Missing kuid'],
      [{ _id: '' }, 'missing_kuid', 'Missing kuid'],
      [{ _id: 'kuid-nobody' }, 'invalid_kuid', 'Invalid kuid given'],
      [{ _id: 42 }, 'invalid_kuid', 'Invalid kuid given'],
    ])('refuses %j (400 %s): %s', async (args, name, reason) => {
      await start();
      expect(await wireError(h.action('getResetPasswordToken', apiRequest({ args })))).toMatchObject(
        refused(400, name, reason),
      );
    });
  });

  describe('reset', () => {
    beforeEach(() => start({ passwordPolicies: [{ appliesTo: '*', mustChangePasswordIfSetByAdmin: true }] }));

    it('sets the new password as the user themselves and acknowledges; the client then logs in', async () => {
      const token = await tokenFor('kuid-alice');
      h.clock.now += 1000;

      await expect(reset({ password: 'secret-2', token })).resolves.toEqual({
        acknowledged: true,
        kuid: 'kuid-alice',
      });

      expect((await h.credentials())[0]?._source).toMatchObject({
        updater: 'kuid-alice',
        updatedAt: h.clock.now,
      });
      // The kernel hears of it through the plugin's capability (it revokes the user's tokens then).
      expect(h.accountCalls).toEqual([
        {
          call: 'credentialsChanged',
          kuid: 'kuid-alice',
          strategy: 'local',
          author: 'kuid-alice',
          secretChanged: true,
        },
      ]);
      // Set by the user: "must change" does not come back (Kuzzle's anonymous updater made it loop).
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toEqual({
        kind: 'authenticated',
        kuid: 'kuid-alice',
      });
    });

    it('takes the token a refused login carries', async () => {
      const refusal = await wireError(h.login({ username: 'alice', password: 'secret-1' }));
      expect(refusal).toMatchObject(refused(401, 'must_change_password', 'Password change required'));

      await reset({ password: 'secret-2', token: refusal['resetToken'] });
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('resets once: the token is void after the password changed', async () => {
      const token = await tokenFor('kuid-alice');
      h.clock.now += 1000;
      await reset({ password: 'secret-2', token });
      h.clock.now += 1000;

      expect(await wireError(reset({ password: 'secret-3', token }))).toMatchObject(
        refused(400, 'invalid_token', 'Invalid token'),
      );
      expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
        kind: 'authenticated',
      });
    });

    it('refuses an expired token (401)', async () => {
      const token = await tokenFor('kuid-alice');
      h.clock.now += 2 * 3_600_000;
      expect(await wireError(reset({ password: 'secret-2', token }))).toMatchObject(
        refused(401, 'expired_token', 'Expired token'),
      );
    });

    it('refuses tokens it did not issue', async () => {
      const forged = jwt.sign({ resetForKuid: 'kuid-alice' }, 'guessed-secret', {
        issuer: 'tessera-auth-local',
      });
      expect(await wireError(reset({ password: 'secret-2', token: forged }))).toMatchObject(
        refused(400, 'invalid_token', 'Invalid token'),
      );
      expect(await wireError(reset({ password: 'secret-2', token: 'not-a-jwt' }))).toMatchObject(
        refused(400, 'invalid_token', 'Invalid token'),
      );
      // The password is still the old one: the right password, set by an admin.
      expect(await wireError(h.login({ username: 'alice', password: 'secret-1' }))).toMatchObject(
        refused(401, 'must_change_password', 'Password change required'),
      );
    });

    it('holds the new password to the policies and the 72-byte limit', async () => {
      const plugin = await h.restart({ passwordPolicies: [{ appliesTo: '*', passwordRegex: '^.{10,}$' }] });
      const token = await tokenFor('kuid-alice', plugin);
      expect(await wireError(reset({ password: 'short', token }, plugin))).toMatchObject(
        refused(400, 'weak_password', 'Password is too weak'),
      );
      expect(await wireError(reset({ password: 'x'.repeat(73), token }, plugin))).toMatchObject(
        refused(400, 'password_too_long', 'Password cannot be longer than 72 bytes (UTF-8).'),
      );
    });

    it.each([
      [null, 'missing_body', 'Missing request body'],
      [{ token: 'x' }, 'missing_password_attribute', 'Missing "password" attribute'],
      [
        { password: '', token: 'x' },
        'invalid_password_supplied',
        'Invalid password supplied. Must be a non-empty string',
      ],
      [
        { password: 42, token: 'x' },
        'invalid_password_supplied',
        'Invalid password supplied. Must be a non-empty string',
      ],
      [{ password: 'secret-2' }, 'missing_token_attribute', 'Missing "token" attribute'],
      [{ password: 'secret-2', token: 42 }, 'invalid_token_supplied', 'Invalid token supplied'],
    ])('refuses the body %j (400 %s): %s', async (body, name, reason) => {
      expect(await wireError(reset(body))).toMatchObject(refused(400, name, reason));
    });
  });

  it('keeps its signing secret in its own storage: tokens survive a restart', async () => {
    await start();
    const token = await tokenFor('kuid-alice');
    const plugin = await h.restart({});

    await expect(reset({ password: 'secret-2', token }, plugin)).resolves.toMatchObject({
      acknowledged: true,
    });
    const secrets = await (await h.storage.collection('config')).search({}, { size: 10 });
    expect(secrets.hits.map((hit) => hit._id)).toEqual(['reset-secret']);
    expect(secrets.hits[0]?._source['secret']).toMatch(/^[0-9a-f]{128}$/);
  });
});
