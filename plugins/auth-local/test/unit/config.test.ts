import { describe, expect, it } from '@jest/globals';
import { Strategy as PassportLocalStrategy } from 'passport-local';
import { apiRequest, startAuthLocal } from './harness';

describe('plugin setup and configuration', () => {
  it('registers the "local" strategy, with every credential method, and the password controller', async () => {
    const h = await startAuthLocal();
    try {
      expect(h.strategy.passport).toBeInstanceOf(PassportLocalStrategy);
      expect(h.strategy.fields).toEqual(['username', 'password']);
      expect(Object.keys(h.strategy.methods).sort()).toEqual(
        [
          'changesSecret',
          'create',
          'delete',
          'exists',
          'getById',
          'getInfo',
          'search',
          'update',
          'validate',
          'verify',
        ].sort(),
      );
      expect(h.routes.map(({ controller, action }) => `${controller}:${action}`)).toEqual([
        'auth-local/password:getResetPasswordToken',
        'auth-local/password:reset',
      ]);
    } finally {
      await h.close();
    }
  });

  it('hashes with cost 10 by default', async () => {
    const h = await startAuthLocal({ bcryptCost: undefined });
    try {
      await h.methods.create(
        apiRequest(),
        { username: 'alice', password: 'secret-1' },
        'kuid-alice',
        'local',
      );
      expect((await h.credentials())[0]?._source).toMatchObject({
        cost: 10,
        hash: expect.stringMatching(/^\$2b\$10\$/),
      });
    } finally {
      await h.close();
    }
  });

  it('takes every documented key', async () => {
    const h = await startAuthLocal({
      bcryptCost: 5,
      requirePassword: true,
      resetPasswordExpiresIn: '30 minutes',
      passwordPolicies: [
        {
          appliesTo: { users: ['kuid-alice'], profiles: ['staff'], roles: ['editor'] },
          expiresAfter: '90d',
          forbidLoginInPassword: true,
          forbidReusedPasswordCount: 5,
          mustChangePasswordIfSetByAdmin: true,
          passwordRegex: '/^.{8,}$/u',
        },
      ],
    });
    await h.close();
  });

  const key = (path: string) => `plugins.auth-local.${path}`;
  const policy = (fields: Record<string, unknown>) => ({ passwordPolicies: [{ appliesTo: '*', ...fields }] });

  it.each([
    [{ bcryptCost: 3 }, key('bcryptCost'), 'expected an integer from 4 to 15, got 3'],
    [{ bcryptCost: 16 }, key('bcryptCost'), 'expected an integer from 4 to 15, got 16'],
    [{ bcryptCost: '10' }, key('bcryptCost'), 'expected an integer from 4 to 15, got "10"'],
    [{ requirePassword: 'yes' }, key('requirePassword'), 'expected a boolean'],
    [{ resetPasswordExpiresIn: 'soon' }, key('resetPasswordExpiresIn'), 'expected a positive duration'],
    [{ resetPasswordExpiresIn: 0 }, key('resetPasswordExpiresIn'), 'expected a positive duration'],
    [{ passwordPolicies: {} }, key('passwordPolicies'), 'expected an array of policies'],
    [{ passwordPolicies: ['*'] }, key('passwordPolicies[0]'), 'expected an object'],
    [
      { passwordPolicies: [{}] },
      key('passwordPolicies[0].appliesTo'),
      'expected "*" or {users?, profiles?, roles?}',
    ],
    [policy({ appliesTo: {} }), key('passwordPolicies[0].appliesTo'), 'at least one non-empty list'],
    [
      policy({ appliesTo: { users: 'kuid-alice' } }),
      key('passwordPolicies[0].appliesTo.users'),
      'an array of strings',
    ],
    [
      policy({ expiresAfter: 'forever' }),
      key('passwordPolicies[0].expiresAfter'),
      'expected a positive duration',
    ],
    [
      policy({ forbidLoginInPassword: 1 }),
      key('passwordPolicies[0].forbidLoginInPassword'),
      'expected a boolean',
    ],
    [
      policy({ forbidReusedPasswordCount: -1 }),
      key('passwordPolicies[0].forbidReusedPasswordCount'),
      'at least 0',
    ],
    [
      policy({ mustChangePasswordIfSetByAdmin: 'no' }),
      key('passwordPolicies[0].mustChangePasswordIfSetByAdmin'),
      'a boolean',
    ],
    [
      policy({ passwordRegex: '/(/' }),
      key('passwordPolicies[0].passwordRegex'),
      'a valid regular expression',
    ],
    [
      policy({ passwordRegex: '/^a/g' }),
      key('passwordPolicies[0].passwordRegex'),
      'without the "g" or "y" flag',
    ],
    [
      policy({ passwordRegex: 42 }),
      key('passwordPolicies[0].passwordRegex'),
      'a regular expression as a string',
    ],
  ])('refuses %j, naming %s', async (config, path, expected) => {
    const failure = startAuthLocal(config);
    await expect(failure).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      message: expect.stringContaining(`Invalid configuration "${path}": expected `),
    });
    await expect(failure).rejects.toThrow(expected);
  });

  it.each([
    [{ bcryptRounds: 12 }, key('bcryptRounds')],
    [{ algorithm: 'sha512' }, key('algorithm')],
    [
      { passwordPolicies: [{ appliesTo: '*', forbidLoginPassword: true }] },
      key('passwordPolicies[0].forbidLoginPassword'),
    ],
  ])('refuses the unknown key in %j', async (config, path) => {
    await expect(startAuthLocal(config)).rejects.toMatchObject({
      id: 'core.config.unknown_key',
      message: `Unknown configuration key "${path}".`,
    });
  });

  it.each([
    ['2h', 7200],
    ['45 minutes', 2700],
    ['1.5d', 129_600],
    [3_600_000, 3600],
  ])('reads resetPasswordExpiresIn %j as %i seconds of validity', async (value, seconds) => {
    const h = await startAuthLocal({ resetPasswordExpiresIn: value });
    try {
      await h.methods.create(
        apiRequest(),
        { username: 'alice', password: 'secret-1' },
        'kuid-alice',
        'local',
      );
      const { resetToken } = (await h.action(
        'getResetPasswordToken',
        apiRequest({ args: { _id: 'kuid-alice' } }),
      )) as {
        resetToken: string;
      };
      const [, payload = ''] = resetToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iat: number; exp: number };
      expect(claims.exp - claims.iat).toBe(seconds);
    } finally {
      await h.close();
    }
  });
});
