/**
 * OAuth account pre-hijack: a local user must not be able to claim a provider identity they do not hold by
 * writing it in a body. Were it possible, the identity's real owner, signing in through the provider for the
 * first time, would land in the attacker's account. The attacker drives the official kuzzle-sdk; the victim
 * signs in through a real OpenID provider.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rejectionOf, startOidcTessera, type OidcTessera } from '../fixtures/oidc-tessera';

const REFUSED = { status: 400, id: 'plugin.auth-oauth.link_requires_login', code: 0x04910003 };

describe('OAuth account pre-hijack', () => {
  let setup: OidcTessera;

  const localUser: OidcTessera['localUser'] = (...args) => setup.localUser(...args);

  /** The victim's first sign-in through the provider: it must create an account of their own. */
  const expectOwnNewAccount = async (victim: string, attackerKuid: string) => {
    const signedIn = await setup.signIn(victim);
    expect(signedIn.status).toBe(200);
    const kuid = signedIn.body.result._id as string;
    expect(kuid).not.toBe(attackerKuid);
    const me = await setup.api('auth', 'getCurrentUser', {}, signedIn.body.result.jwt);
    expect(me.result).toMatchObject({ _id: kuid, strategies: ['oidc'] });
    expect(me.result?._source).toMatchObject({ profileIds: ['default'], displayName: `User ${victim}` });
  };

  beforeAll(async () => {
    setup = await startOidcTessera();
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('refuses auth:createMyCredentials with an identity: the victim then lands in an account of their own', async () => {
    const attacker = await localUser('mallory');
    let errors: unknown[];
    try {
      errors = [
        await rejectionOf(attacker.kuzzle.auth.createMyCredentials('oidc', { identity: 'victim-1' })),
        await rejectionOf(attacker.kuzzle.auth.createMyCredentials('oidc', { sub: 'victim-1' })),
      ];
    } finally {
      attacker.kuzzle.disconnect();
    }
    // The victim's sign-in comes first: were the attack to succeed, this is where it shows.
    await expectOwnNewAccount('victim-1', attacker.kuid);
    for (const error of errors) {
      expect(error).toMatchObject(REFUSED);
      expect((error as Error).message).toContain('createMyCredentials');
    }
    const held = await setup.api(
      'security',
      'hasCredentials',
      { _id: attacker.kuid, strategy: 'oidc' },
      setup.adminJwt,
    );
    expect(held.result).toBe(false);
  });

  it('refuses auth:updateMyCredentials to another identity: the user keeps their own', async () => {
    const attacker = await localUser('trudy');
    // trudy holds an identity of her own, which an administrator linked.
    await setup.adminLink(attacker.kuid, 'trudy-at-provider');
    let error: unknown;
    try {
      error = await rejectionOf(attacker.kuzzle.auth.updateMyCredentials('oidc', { identity: 'victim-2' }));
    } finally {
      attacker.kuzzle.disconnect();
    }
    await expectOwnNewAccount('victim-2', attacker.kuid);
    expect(error).toMatchObject(REFUSED);
    const held = await setup.api(
      'security',
      'getCredentials',
      { _id: attacker.kuid, strategy: 'oidc' },
      setup.adminJwt,
    );
    expect(held.result).toEqual({ identity: 'trudy-at-provider' });
  });

  it('refuses auth:validateMyCredentials with an identity: it tells nobody whose identity is linked', async () => {
    const attacker = await localUser('eve');
    try {
      for (const identity of ['trudy-at-provider', 'nobody-at-all']) {
        const error = await rejectionOf(attacker.kuzzle.auth.validateMyCredentials('oidc', { identity }));
        expect(error).toMatchObject(REFUSED);
      }
    } finally {
      attacker.kuzzle.disconnect();
    }
  });

  it('refuses security:createRestrictedUser with an identity, and leaves no user behind', async () => {
    const attempt = await setup.api(
      'security',
      'createRestrictedUser',
      { _id: 'restricted-kuid', body: { content: {}, credentials: { oidc: { identity: 'victim-3' } } } },
      setup.adminJwt,
    );
    await expectOwnNewAccount('victim-3', 'restricted-kuid');
    expect(attempt.error).toMatchObject(REFUSED);
    const user = await setup.api('security', 'getUser', { _id: 'restricted-kuid' }, setup.adminJwt);
    expect(user.error?.id).toBe('security.user.not_found');
  });
});
