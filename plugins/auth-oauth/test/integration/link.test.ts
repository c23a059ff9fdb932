/**
 * Linking a provider identity to an existing user, end to end: the logged-in user asks with kuzzle-sdk
 * (`auth.createMyCredentials` / `updateMyCredentials` with an empty body) where to send a browser, the browser
 * opens that URL and signs in at a real OpenID provider, and the callback links the identity to that user and
 * logs them in. The plugin runs on a clock of the test's, so that a link URL can expire.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../fixtures/browser';
import { rejectionOf, startOidcTessera, type OidcTessera } from '../fixtures/oidc-tessera';

const LINK_TTL_MS = 60_000;
const frontEnd = 'http://app.127.0.0.1.nip.test:5173/linked';

interface LinkAnswer {
  url: string;
  expiresAt: number;
}

describe('linking a provider identity through a sign-in at the provider', () => {
  let setup: OidcTessera;
  let clock = Date.now();

  beforeAll(async () => {
    setup = await startOidcTessera({
      strategy: { linkTtlMs: LINK_TTL_MS, redirectURLs: [frontEnd] },
      now: () => clock,
    });
  });

  afterAll(async () => {
    await setup?.stop();
  });

  const localUser: OidcTessera['localUser'] = (...args) => setup.localUser(...args);

  const credentialsOf = (kuid: string) =>
    setup.api('security', 'getCredentials', { _id: kuid, strategy: 'oidc' }, setup.adminJwt);

  it.each(['WebSocket', 'Http'] as const)(
    'links the identity a user signs in with after createMyCredentials over %s, and logs that user in',
    async (protocol) => {
      const login = `grace-${protocol.toLowerCase()}`;
      const user = await localUser(login, protocol);
      let link: LinkAnswer;
      try {
        link = (await user.kuzzle.auth.createMyCredentials('oidc', {})) as unknown as LinkAnswer;
        const url = new URL(link.url);
        expect(`${url.origin}${url.pathname}`).toBe(`${setup.tessera.url}/_login/oidc`);
        expect([...url.searchParams.keys()]).toEqual(['link']);
        expect(url.searchParams.get('link')).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(link.expiresAt).toBe(clock + LINK_TTL_MS);
        // Nothing is linked before the sign-in completes.
        expect(await user.kuzzle.auth.credentialsExist('oidc')).toBe(false);
      } finally {
        user.kuzzle.disconnect();
      }

      const linked = await setup.signIn(login, link.url);
      expect(linked.status).toBe(200);
      expect(linked.body.result._id).toBe(user.kuid);
      expect((await credentialsOf(user.kuid)).result).toEqual({
        identity: login,
        sub: login,
        email: `${login}@example.test`,
        displayName: `User ${login}`,
      });

      // From now on, a plain sign-in with that identity is this user's.
      const later = await setup.signIn(login);
      expect(later.body.result._id).toBe(user.kuid);
    },
  );

  it('asks the OpenID provider to sign the user in again for a link, not for a login', async () => {
    const user = await localUser('heidi');
    try {
      const { url } = (await user.kuzzle.auth.createMyCredentials('oidc', {})) as unknown as LinkAnswer;
      const linkStart = await new Browser().request(url);
      expect(linkStart.status).toBe(302);
      expect(new URL(linkStart.location ?? '').searchParams.get('prompt')).toBe('login');
      const loginStart = await new Browser().request(`${setup.tessera.url}/_login/oidc`);
      expect(new URL(loginStart.location ?? '').searchParams.has('prompt')).toBe(false);
    } finally {
      user.kuzzle.disconnect();
    }
  });

  it('refuses to link an identity another user holds, and links nothing', async () => {
    const holder = await setup.signIn('ivan');
    const user = await localUser('judy');
    try {
      const { url } = (await user.kuzzle.auth.createMyCredentials('oidc', {})) as unknown as LinkAnswer;
      const refused = await setup.signIn('ivan', url);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        id: 'security.credentials.rejected',
        message: 'Credentials rejected: the oidc identity you signed in with is linked to another user.',
      });
      expect(await user.kuzzle.auth.credentialsExist('oidc')).toBe(false);
    } finally {
      user.kuzzle.disconnect();
    }
    expect((await setup.signIn('ivan')).body.result._id).toBe(holder.body.result._id);
  });

  it('accepts a link URL once, in one browser, and not after it expires', async () => {
    const user = await localUser('ken');
    try {
      const first = (await user.kuzzle.auth.createMyCredentials('oidc', {})) as unknown as LinkAnswer;
      expect((await new Browser().request(first.url)).status).toBe(302);
      const again = await new Browser().request(first.url);
      expect(again.status).toBe(401);
      expect(JSON.parse(again.text).error).toMatchObject({
        id: 'plugin.strategy.missing_user',
        message: 'Invalid, used or expired link URL: ask for a new one.',
      });

      const late = (await user.kuzzle.auth.createMyCredentials('oidc', {})) as unknown as LinkAnswer;
      clock += LINK_TTL_MS + 1;
      expect((await new Browser().request(late.url)).status).toBe(401);

      const forged = new URL(late.url);
      forged.searchParams.set('link', 'A'.repeat(32));
      expect((await new Browser().request(forged.toString())).status).toBe(401);
      expect(await user.kuzzle.auth.credentialsExist('oidc')).toBe(false);
    } finally {
      user.kuzzle.disconnect();
    }
  });

  it('replaces the identity after updateMyCredentials, frees the old one, and revokes the other sessions', async () => {
    const user = await localUser('leo', 'Http');
    await setup.adminLink(user.kuid, 'leo-old');
    let link: LinkAnswer;
    try {
      link = (await user.kuzzle.auth.updateMyCredentials('oidc', {})) as unknown as LinkAnswer;
    } finally {
      user.kuzzle.disconnect();
    }
    // Unchanged until the sign-in completes.
    expect((await credentialsOf(user.kuid)).result).toEqual({ identity: 'leo-old' });

    const linked = await setup.signIn('leo-new', link.url);
    expect(linked.body.result._id).toBe(user.kuid);
    expect((await credentialsOf(user.kuid)).result).toMatchObject({ identity: 'leo-new' });
    // A change of credentials: the user's other sessions end, the one the sign-in opened stays.
    const checked = await setup.api('auth', 'checkToken', { body: { token: user.jwt } });
    expect(checked.result).toMatchObject({ valid: false });
    const current = await setup.api('auth', 'getCurrentUser', {}, linked.body.result.jwt);
    expect(current.result?._id).toBe(user.kuid);

    const old = await setup.signIn('leo-old');
    expect(old.status).toBe(200);
    expect(old.body.result._id).not.toBe(user.kuid);
  });

  it('ends a link at an allow-listed front end, the token in the cookie', async () => {
    const user = await localUser('mia');
    let link: LinkAnswer;
    try {
      link = (await user.kuzzle.auth.createMyCredentials('oidc', {
        redirectTo: frontEnd,
      })) as unknown as LinkAnswer;
      const refused = await rejectionOf(
        user.kuzzle.auth.createMyCredentials('oidc', { redirectTo: 'https://evil.example/' }),
      );
      expect(refused).toMatchObject({ id: 'plugin.auth-oauth.redirect_not_allowed', status: 400 });
    } finally {
      user.kuzzle.disconnect();
    }
    expect(new URL(link.url).searchParams.get('redirectTo')).toBe(frontEnd);

    const browser = new Browser();
    const callback = await browser.browse(link.url, 'mia', setup.isCallback);
    const response = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: browser.cookieHeader(callback) },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(frontEnd);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('authToken=kauth-'))).toBe(
      true,
    );
    expect((await credentialsOf(user.kuid)).result).toMatchObject({ identity: 'mia' });
  });

  it('answers a link start that cannot be one with a clean error', async () => {
    const user = await localUser('nina');
    try {
      expect(await rejectionOf(user.kuzzle.auth.updateMyCredentials('oidc', {}))).toMatchObject({
        status: 404,
        id: 'services.storage.not_found',
      });
      await setup.adminLink(user.kuid, 'nina-at-provider');
      expect(await rejectionOf(user.kuzzle.auth.createMyCredentials('oidc', {}))).toMatchObject({
        status: 400,
        id: 'security.credentials.rejected',
      });
    } finally {
      user.kuzzle.disconnect();
    }
    const anonymous = await setup.api('auth', 'createMyCredentials', { strategy: 'oidc', body: {} });
    expect(anonymous.error?.status).toBe(401);
  });
});
