/**
 * The authorization-code flow end to end: a real OpenID provider (oidc-provider, in a child process), a real
 * Tessera with the local and oauth strategies, and a small programmatic browser that follows redirects by
 * hand, keeps cookies per origin and submits the provider's login and consent forms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { freePort } from '../fixtures/free-port';

const pluginDir = join(__dirname, '..', '..');

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

/** A browser reduced to what OAuth needs: cookies per origin, manual redirects, form posts. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Answer> {
    const target = new URL(url);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const location = response.headers.get('location');
    return {
      status: response.status,
      location: location === null ? null : new URL(location, target).toString(),
      text: await response.text(),
    };
  }

  /** The Cookie header this browser would send to `url`'s origin. */
  cookieHeader(url: string): string {
    const jar = this.jars.get(new URL(url).origin) ?? new Map<string, string>();
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Follows redirects from `url`, submitting any form the provider shows, until `stop` says it is home. */
  async browse(url: string, login: string, stop: (url: string) => boolean): Promise<string> {
    let current = url;
    let answer = await this.request(current);
    for (let step = 0; step < 20; step += 1) {
      if (answer.location !== null) {
        current = answer.location;
        if (stop(current)) return current;
        answer = await this.request(current);
        continue;
      }
      const action = /<form[^>]*action="([^"]+)"/.exec(answer.text)?.[1];
      if (action === undefined)
        throw new Error(`stuck at ${current}: ${answer.status} ${answer.text.slice(0, 200)}`);
      const form: Record<string, string> = {};
      for (const [, name, value] of answer.text.matchAll(
        /<input[^>]*name="([^"]+)"(?:[^>]*?value="([^"]*)")?/g,
      ))
        if (name !== undefined) form[name] = value ?? '';
      if ('login' in form) form.login = login;
      if ('password' in form) form.password = 'any password';
      current = new URL(action, current).toString();
      answer = await this.request(current, { method: 'POST', form });
    }
    throw new Error('too many redirects');
  }
}

async function startProvider(callbackURL: string): Promise<{ issuer: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'oidc-server.mjs'), callbackURL], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout });
  const issuer = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`oidc-server exited with ${String(code)}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
  });
  return { issuer, child };
}

describe('auth-oauth against a real OpenID provider', () => {
  let provider: { issuer: string; child: ChildProcess };
  let tessera: TestKernel;
  let adminJwt: string;
  const frontEnd = 'http://app.127.0.0.1.nip.test:5173/welcome';

  const api = async (
    controller: string,
    action: string,
    payload: Record<string, unknown> = {},
    jwt?: string,
  ): Promise<{
    status: number;
    result: Record<string, unknown> | null;
    error: { id: string; message: string } | null;
  }> => {
    const response = await fetch(`${tessera.url}/_query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
      body: JSON.stringify({ controller, action, ...payload }),
    });
    return (await response.json()) as never;
  };

  /** Runs the whole flow for `login` at the provider and returns Tessera's JSON answer at the callback. */
  const signIn = async (login: string) => {
    const browser = new Browser();
    const callback = await browser.browse(`${tessera.url}/_login/oidc`, login, (url) =>
      url.startsWith(`${tessera.url}/_login/oidc?`),
    );
    const answer = await browser.request(callback);
    return { callback, status: answer.status, body: JSON.parse(answer.text) as Record<string, any> };
  };

  beforeAll(async () => {
    const port = await freePort();
    const callbackURL = `http://127.0.0.1:${port}/_login/oidc`;
    provider = await startProvider(callbackURL);
    tessera = await startTestKernel({
      plugins: [...builtInPlugins(), { dir: pluginDir }],
      overrides: {
        server: { port },
        // Each OAuth login is two auth:login calls (the redirect and the callback): lift the throttle.
        security: { login: { attemptsPerAddress: 0 } },
        plugins: {
          'auth-oauth': {
            strategies: {
              oidc: {
                passportStrategy: 'oidc',
                issuer: provider.issuer,
                credentials: { clientID: 'tessera', clientSecret: 'tessera-secret', callbackURL },
                scope: ['openid', 'email', 'profile'],
                identifierAttribute: 'sub',
                persist: ['email', 'name'],
                kuzzleAttributesMapping: { name: 'displayName' },
                redirectURLs: [frontEnd],
              },
            },
            defaultProfiles: ['default'],
          },
        },
      },
    });
    const admin = await api('security', 'createFirstAdmin', {
      _id: 'root',
      body: { content: {}, credentials: { local: { username: 'root', password: 'root-password-1' } } },
    });
    expect(admin.error).toBeNull();
    const login = await api('auth', 'login', {
      strategy: 'local',
      body: { username: 'root', password: 'root-password-1' },
    });
    adminJwt = (login.result as { jwt: string }).jwt;
  });

  afterAll(async () => {
    await tessera?.stop();
    provider?.child.kill('SIGTERM');
  });

  it('lists both the local and the oauth strategy', async () => {
    const strategies = await api('auth', 'getStrategies');
    expect(strategies.result).toEqual(expect.arrayContaining(['local', 'oidc']));
  });

  it('answers GET /_login/<name> with a 302 to the provider, with state and a S256 PKCE challenge', async () => {
    const answer = await new Browser().request(`${tessera.url}/_login/oidc`);
    expect(answer.status).toBe(302);
    const location = new URL(answer.location ?? '');
    expect(location.origin).toBe(provider.issuer);
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
    const home = (url: string) => url.startsWith(`${tessera.url}/_login/oidc?`);
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
    const callback = await attacker.browse(`${tessera.url}/_login/oidc`, 'mallory', (url) =>
      url.startsWith(`${tessera.url}/_login/oidc?`),
    );
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
    const callback = await browser.browse(`${tessera.url}/_login/oidc`, 'erin', (url) =>
      url.startsWith(`${tessera.url}/_login/oidc?`),
    );
    const done = await browser.request(callback);
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text).result.jwt).toMatch(/^kauth-/);
  });

  it('ends at an allow-listed front end with the token in the HttpOnly cookie, never in the URL or the body', async () => {
    const browser = new Browser();
    const start = `${tessera.url}/_login/oidc?redirectTo=${encodeURIComponent(frontEnd)}`;
    const callback = await browser.browse(start, 'frank', (url) =>
      url.startsWith(`${tessera.url}/_login/oidc?`),
    );
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
