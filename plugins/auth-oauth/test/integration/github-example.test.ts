/**
 * The README's GitHub example, as written there, run through the real passport-github2. GitHub itself is out
 * of reach here, so its three endpoints (authorize, access_token, the user API) are played by a small local
 * server, named through the passport module's own endpoint options; everything on Tessera's side is real.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { freePort } from '../fixtures/free-port';

const pluginDir = join(__dirname, '..', '..');

/** The first json5 block after the README's "### GitHub" heading, evaluated as the object literal it is. */
function readmeGithubConfig(): { plugins: { 'auth-oauth': Record<string, any> } } {
  const readme = readFileSync(join(pluginDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### GitHub'));
  const block = /```json5\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README: no json5 block under "### GitHub"');
  // The block is a JavaScript object literal (json5 with comments): evaluating it reads it exactly as written.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`return (${block});`)() as never;
}

/**
 * GitHub's side of the flow: approves every authorization at once, as a signed-in user who already consented.
 * The code `code-from-github` is good; `code-profile-down` gets a token whose profile request fails; any other
 * code is refused as GitHub refuses a used or expired one.
 */
function startFakeGithub(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => answerAsGithub(request, body, response));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function answerAsGithub(request: IncomingMessage, body: string, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://github.test');
  const json = (payload: unknown, status = 200) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  };
  if (url.pathname === '/login/oauth/authorize') {
    const back = new URL(url.searchParams.get('redirect_uri') ?? '');
    back.searchParams.set('code', 'code-from-github');
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    response.writeHead(302, { location: back.toString() }).end();
  } else if (url.pathname === '/login/oauth/access_token') {
    const code = new URLSearchParams(body).get('code');
    if (code === 'code-from-github') json({ access_token: 'gho_token', token_type: 'bearer' });
    else if (code === 'code-profile-down') json({ access_token: 'gho_down', token_type: 'bearer' });
    // RFC 6749 §5.2's refusal (GitHub itself sends it with status 200, which passport reads as a failure).
    else
      json(
        { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' },
        400,
      );
  } else if (url.pathname === '/user' && request.headers.authorization === 'Bearer gho_token') {
    json({ id: 583231, login: 'octocat', name: 'The Octocat', avatar_url: 'https://avatars.test/583231' });
  } else if (url.pathname === '/user/emails') {
    json([{ email: 'octocat@github.test', primary: true, verified: true }]);
  } else if (url.pathname === '/user') {
    response.writeHead(503).end('GitHub is down: internal details');
  } else {
    response.writeHead(404).end();
  }
}

describe("the README's GitHub example, through passport-github2", () => {
  let github: Server;
  let tessera: TestKernel;

  beforeAll(async () => {
    github = await startFakeGithub();
    const port = await freePort();
    const githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    const config = readmeGithubConfig().plugins['auth-oauth'];
    const strategy = config.strategies.github;
    tessera = await startTestKernel({
      plugins: [...builtInPlugins(), { dir: pluginDir }],
      overrides: {
        server: { port },
        security: { login: { attemptsPerAddress: 0 } },
        plugins: {
          'auth-oauth': {
            ...config,
            strategies: {
              github: {
                ...strategy,
                credentials: {
                  ...strategy.credentials,
                  // This server's address, and GitHub's endpoints played locally (passport-github2 options).
                  callbackURL: `http://127.0.0.1:${port}/_login/github`,
                  authorizationURL: `${githubUrl}/login/oauth/authorize`,
                  tokenURL: `${githubUrl}/login/oauth/access_token`,
                  userProfileURL: `${githubUrl}/user`,
                  userEmailURL: `${githubUrl}/user/emails`,
                },
              },
            },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await tessera?.stop();
    await new Promise((resolve) => github?.close(resolve));
  });

  it('redirects to GitHub with the example client id and scope, then creates the user from its GitHub profile', async () => {
    const start = await fetch(`${tessera.url}/_login/github`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.pathname).toBe('/login/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('<GitHub OAuth app client id>');
    expect(authorize.searchParams.get('scope')).toBe('user:email');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const binding = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';

    const back = await fetch(authorize, { redirect: 'manual' });
    const callback = back.headers.get('location') ?? '';
    expect(callback.startsWith(`${tessera.url}/_login/github?code=`)).toBe(true);
    const login = await fetch(callback, { headers: { cookie: binding } });
    const answer = (await login.json()) as { status: number; result: { _id: string; jwt: string } };
    expect(answer.status).toBe(200);

    const me = await fetch(`${tessera.url}/_me`, {
      headers: { authorization: `Bearer ${answer.result.jwt}` },
    });
    const user = (await me.json()) as { result: { _source: Record<string, unknown> } };
    expect(user.result._source).toMatchObject({ githubLogin: 'octocat', displayName: 'The Octocat' });
    const credentials = await fetch(`${tessera.url}/_me/credentials/github`, {
      headers: { authorization: `Bearer ${answer.result.jwt}` },
    });
    expect(((await credentials.json()) as { result: unknown }).result).toEqual({
      identity: '583231',
      id: 583231,
      githubLogin: 'octocat',
      displayName: 'The Octocat',
      avatar_url: 'https://avatars.test/583231',
    });
  });

  /** A fresh attempt's callback URL with another code, and the binding cookie of its browser. */
  const callbackWithCode = async (code: string) => {
    const start = await fetch(`${tessera.url}/_login/github`, { redirect: 'manual' });
    const binding = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const back = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = new URL(back.headers.get('location') ?? '');
    callback.searchParams.set('code', code);
    const answer = await fetch(callback, { headers: { cookie: binding } });
    return { status: answer.status, text: await answer.text() };
  };

  it("turns GitHub's refusal of the code into a login failure with GitHub's reason", async () => {
    const { status, text } = await callbackWithCode('code-already-used');
    expect(status).toBe(401);
    expect((JSON.parse(text) as { error: unknown }).error).toMatchObject({
      id: 'plugin.strategy.missing_user',
      message: 'The code passed is incorrect or expired.',
    });
  });

  it('answers a failing provider with plugin.auth-oauth.provider_failed, its details kept off the wire', async () => {
    const { status, text } = await callbackWithCode('code-profile-down');
    expect(status).toBe(502);
    expect((JSON.parse(text) as { error: unknown }).error).toEqual({
      status: 502,
      id: 'plugin.auth-oauth.provider_failed',
      code: 0x04910002,
      message: 'The provider of the strategy "github" failed to answer; try again later.',
      props: ['github'],
    });
    expect(text).not.toContain('internal details');
  });
});
