/**
 * The authorization-code flow end to end: a real OpenID provider (oidc-provider, in a child process), a real
 * Tessera with the local and oauth strategies, and a small programmatic browser that follows redirects by
 * hand, keeps cookies per origin and submits the provider's login and consent forms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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

  it('answers an unknown strategy with security.credentials.unknown_strategy', async () => {
    const answer = await new Browser().request(`${tessera.url}/_login/nope`);
    expect(JSON.parse(answer.text).error.id).toBe('security.credentials.unknown_strategy');
  });
});
