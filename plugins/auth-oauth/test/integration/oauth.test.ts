/**
 * The authorization-code flow end to end: a real OpenID provider (oidc-provider, in a child process), a real
 * Tessera with the local and oauth strategies, and a small programmatic browser that follows redirects by
 * hand, keeps cookies per origin and submits the provider's login and consent forms.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import type { TestKernel } from '@tessera/testing';
import { Browser } from '../fixtures/browser';
import { startOidcTessera, type OidcTessera } from '../fixtures/oidc-tessera';

describe('auth-oauth against a real OpenID provider', () => {
  let setup: OidcTessera;
  let tessera: TestKernel;
  let adminJwt: string;
  const frontEnd = 'http://app.127.0.0.1.nip.test:5173/welcome';

  const api: OidcTessera['api'] = (...args) => setup.api(...args);
  const signIn = (login: string) => setup.signIn(login);

  beforeAll(async () => {
    setup = await startOidcTessera({ strategy: { redirectURLs: [frontEnd] } });
    tessera = setup.tessera;
    adminJwt = setup.adminJwt;
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('lists both the local and the oauth strategy', async () => {
    const strategies = await api('auth', 'getStrategies');
    expect(strategies.result).toEqual(expect.arrayContaining(['local', 'oidc']));
  });

  it('answers GET /_login/<name> with a 302 to the provider, with state and a S256 PKCE challenge', async () => {
    const answer = await new Browser().request(`${tessera.url}/_login/oidc`);
    expect(answer.status).toBe(302);
    const location = new URL(answer.location ?? '');
    expect(location.origin).toBe(setup.provider.issuer);
    expect(location.searchParams.get('client_id')).toBe('tessera');
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('scope')).toBe('openid email profile');
  });

  it('creates the user at the first login with the default profiles and the mapped attributes', async () => {
    const first = await signIn('carol');
    expect(first.status).toBe(200);
    const kuid = first.body.result._id as string;
    expect(kuid).toMatch(/^kuid-/);
    const me = await api('auth', 'getCurrentUser', {}, first.body.result.jwt);
    expect(me.result?._id).toBe(kuid);
    expect(me.result?._source).toMatchObject({ profileIds: ['default'], displayName: 'User carol' });
    expect(await api('auth', 'getMyCredentials', { strategy: 'oidc' }, first.body.result.jwt)).toMatchObject({
      result: { identity: 'carol', sub: 'carol', email: 'carol@example.test', displayName: 'User carol' },
    });
    const stored = await api('security', 'getUser', { _id: kuid }, adminJwt);
    expect(stored.result?._source).toMatchObject({
      profileIds: ['default'],
      displayName: 'User carol',
      _kuzzle_info: { author: kuid },
    });

    const second = await signIn('carol');
    expect(second.body.result._id).toBe(kuid);
    expect(second.body.result.jwt).not.toBe(first.body.result.jwt);
    const carols = await api(
      'security',
      'searchUsers',
      { body: { query: { term: { displayName: 'User carol' } } } },
      adminJwt,
    );
    expect(carols.result?.total).toBe(1);
  });

  it('gives two concurrent first logins of one identity one user, and leaves no other', async () => {
    const home = setup.isCallback;
    const browsers = [new Browser(), new Browser()];
    const callbacks = await Promise.all(
      browsers.map((browser) => browser.browse(`${tessera.url}/_login/oidc`, 'dave', home)),
    );
    const answers = await Promise.all(browsers.map((browser, i) => browser.request(callbacks[i] ?? '')));
    const bodies = answers.map((answer) => JSON.parse(answer.text) as { result: { _id: string } });
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(bodies[1]?.result._id).toBe(bodies[0]?.result._id);
    const daves = await api(
      'security',
      'searchUsers',
      { body: { query: { term: { displayName: 'User dave' } } } },
      adminJwt,
    );
    expect(daves.result?.total).toBe(1);
  });

  it('logs a user linked by an administrator in, twice with the same kuid', async () => {
    // Both local and oauth credentials live on one user.
    const created = await api(
      'security',
      'createUser',
      {
        _id: 'alice-kuid',
        body: {
          content: { profileIds: ['default'] },
          credentials: { local: { username: 'alice', password: 'alice-password-1' } },
        },
      },
      adminJwt,
    );
    expect(created.error).toBeNull();
    const linked = await api(
      'security',
      'createCredentials',
      { _id: 'alice-kuid', strategy: 'oidc', body: { identity: 'alice' } },
      adminJwt,
    );
    expect(linked.error).toBeNull();
    expect(linked.result).toEqual({ identity: 'alice' });

    const first = await signIn('alice');
    expect(first.status).toBe(200);
    expect(first.body.result._id).toBe('alice-kuid');
    const me = await api('auth', 'getCurrentUser', {}, first.body.result.jwt);
    expect(me.result?._id).toBe('alice-kuid');
    const userStrategies = await api('auth', 'getMyCredentials', { strategy: 'oidc' }, first.body.result.jwt);
    expect(userStrategies.result).toEqual({
      identity: 'alice',
      sub: 'alice',
      email: 'alice@example.test',
      displayName: 'User alice',
    });

    const second = await signIn('alice');
    expect(second.body.result._id).toBe('alice-kuid');
    expect(second.body.result.jwt).not.toBe(first.body.result.jwt);

    const local = await api('auth', 'login', {
      strategy: 'local',
      body: { username: 'alice', password: 'alice-password-1' },
    });
    expect(local.result?._id).toBe('alice-kuid');

    const taken = await api(
      'security',
      'createCredentials',
      { _id: 'root', strategy: 'oidc', body: { identity: 'alice' } },
      adminJwt,
    );
    expect(taken.error?.id).toBe('security.credentials.rejected');
  });

  it('refuses a replayed state and a forged one', async () => {
    await api(
      'security',
      'createUser',
      { _id: 'bob-kuid', body: { content: { profileIds: ['default'] } } },
      adminJwt,
    );
    await api(
      'security',
      'createCredentials',
      { _id: 'bob-kuid', strategy: 'oidc', body: { identity: 'bob' } },
      adminJwt,
    );
    const browser = new Browser();
    const { callback, body } = await signIn('bob');
    expect(body.result._id).toBe('bob-kuid');

    const replayed = await browser.request(callback);
    expect(replayed.status).toBe(401);
    expect(JSON.parse(replayed.text).error.message).toBe(
      'Invalid or expired OAuth state: start the login again.',
    );

    const forgedUrl = new URL(callback);
    forgedUrl.searchParams.set('state', 'forged-state-forged-state-forged');
    const forged = await browser.request(forgedUrl.toString());
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.text).error.id).toBe('plugin.strategy.missing_user');
  });

  it('turns a denial at the provider into a clear login failure', async () => {
    const denied = await new Browser().request(
      `${tessera.url}/_login/oidc?error=access_denied&error_description=${encodeURIComponent('The user refused.')}`,
    );
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.text).error).toMatchObject({
      id: 'plugin.strategy.missing_user',
      message: 'The user refused.',
    });
  });

  it('binds each attempt to the browser that started it: a callback opened in another browser is refused', async () => {
    const start = await new Browser().request(`${tessera.url}/_login/oidc`);
    expect(start.status).toBe(302);

    const attacker = new Browser();
    const callback = await attacker.browse(`${tessera.url}/_login/oidc`, 'mallory', setup.isCallback);
    const victim = await new Browser().request(callback);
    expect(victim.status).toBe(401);
    expect(JSON.parse(victim.text).error).toMatchObject({
      id: 'plugin.strategy.missing_user',
      message: 'This login was started in another browser: start the login again.',
    });
    // The refused callback used the state up: the attacker cannot use it afterwards either.
    const late = await attacker.request(callback);
    expect(JSON.parse(late.text).error.message).toBe(
      'Invalid or expired OAuth state: start the login again.',
    );
  });

  it('sets the binding as an HttpOnly, SameSite=Lax cookie scoped to the callback path', async () => {
    const response = await fetch(`${tessera.url}/_login/oidc`, { redirect: 'manual' });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(
      /^tessera-oauth-oidc=[A-Za-z0-9_-]{32}; Max-Age=600; Path=\/_login\/oidc; HttpOnly; SameSite=Lax$/,
    );
  });

  it('sends a login started over WebSocket to the HTTP start, where a browser completes it', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${tessera.port}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const ask = (payload: Record<string, unknown>) =>
      new Promise<Record<string, any>>((resolve) => {
        socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, any>));
        socket.send(JSON.stringify({ controller: 'auth', action: 'login', strategy: 'oidc', ...payload }));
      });
    try {
      const answer = await ask({ requestId: 'start' });
      expect(answer.status).toBe(302);
      expect(answer.result).toEqual({ headers: { Location: `${tessera.url}/_login/oidc` }, statusCode: 302 });

      const withRedirect = await ask({ requestId: 'start-redirect', redirectTo: frontEnd });
      const location = new URL(withRedirect.result.headers.Location as string);
      expect(location.searchParams.get('redirectTo')).toBe(frontEnd);

      const refused = await ask({ requestId: 'start-evil', redirectTo: 'https://evil.example/' });
      expect(refused.error).toMatchObject({ status: 400, id: 'plugin.auth-oauth.redirect_not_allowed' });
    } finally {
      socket.close();
    }
    const browser = new Browser();
    const callback = await browser.browse(`${tessera.url}/_login/oidc`, 'erin', setup.isCallback);
    const done = await browser.request(callback);
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text).result.jwt).toMatch(/^kauth-/);
  });

  it('ends at an allow-listed front end with the token in the HttpOnly cookie, never in the URL or the body', async () => {
    const browser = new Browser();
    const start = `${tessera.url}/_login/oidc?redirectTo=${encodeURIComponent(frontEnd)}`;
    const callback = await browser.browse(start, 'frank', setup.isCallback);
    const response = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: browser.cookieHeader(callback) },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(frontEnd);
    const authCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('authToken='));
    expect(authCookie).toMatch(/^authToken=kauth-[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const body = await response.text();
    expect(body).not.toContain('kauth-');

    const me = await fetch(`${tessera.url}/_me`, {
      headers: { cookie: (authCookie ?? '').split(';')[0] ?? '' },
    });
    const user = (await me.json()) as { result: { _source: { displayName: string } } };
    expect(user.result._source.displayName).toBe('User frank');
  });

  it('refuses a redirect outside the allow-list, look-alikes included', async () => {
    for (const redirectTo of [
      'https://evil.example/',
      `${frontEnd}.evil.example`,
      `${frontEnd}/../admin`,
      '/welcome',
    ]) {
      const answer = await new Browser().request(
        `${tessera.url}/_login/oidc?redirectTo=${encodeURIComponent(redirectTo)}`,
      );
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(JSON.parse(answer.text).error).toMatchObject({
        id: 'plugin.auth-oauth.redirect_not_allowed',
        code: 0x04910001,
      });
    }
  });

  it('answers an unknown strategy with security.credentials.unknown_strategy', async () => {
    const answer = await new Browser().request(`${tessera.url}/_login/nope`);
    expect(JSON.parse(answer.text).error.id).toBe('security.credentials.unknown_strategy');
  });
});
