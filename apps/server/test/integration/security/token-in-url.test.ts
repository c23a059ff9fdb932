/**
 * A token in a URL (`?jwt=`, which Kuzzle accepts on HTTP routes) lands in access logs, proxies' logs and browser
 * history. It is refused unless `server.http.acceptTokenInQuery` is set; kuzzle-sdk never sends one.
 */
import { Http, Kuzzle } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { JSON_BODY, httpCall } from '../wire';

const PASSWORD = 'correct horse battery';

let server: TestKernel;

async function start(acceptTokenInQuery?: boolean): Promise<string> {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    overrides: acceptTokenInQuery === undefined ? {} : { server: { http: { acceptTokenInQuery } } },
  });
  await httpCall(server.url, '/users/_create?_id=alice', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'alice', password: PASSWORD } },
    }),
  });
  const login = await httpCall(server.url, '/_login/local', {
    method: 'POST',
    headers: JSON_BODY,
    body: JSON.stringify({ username: 'alice', password: PASSWORD }),
  });
  return login.json.result.jwt as string;
}

afterEach(async () => {
  await server.stop();
});

describe('by default', () => {
  it('refuses ?jwt= on a route, saying where the token goes instead', async () => {
    const jwt = await start();
    const answer = await httpCall(server.url, `/_me?jwt=${jwt}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ id: 'network.http.secret_in_url', props: ['jwt'] });
    expect(answer.json.error.message).toContain('Authorization header');
    expect(answer.json.result).toBeNull();
  });

  it('refuses it beside a valid Bearer header too, and on POST /_query', async () => {
    const jwt = await start();
    const headers = { Authorization: `Bearer ${jwt}` };
    expect((await httpCall(server.url, `/_me?jwt=${jwt}`, { headers })).status).toBe(400);
    const query = await httpCall(server.url, `/_query?jwt=${jwt}`, {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ controller: 'auth', action: 'getCurrentUser' }),
    });
    expect(query.json.error.id).toBe('network.http.secret_in_url');
  });

  it('takes the token from the Authorization header, the body of POST /_query and kuzzle-sdk', async () => {
    const jwt = await start();
    const me = await httpCall(server.url, '/_me', { headers: { Authorization: `Bearer ${jwt}` } });
    expect(me.json.result._id).toBe('alice');
    const query = await httpCall(server.url, '/_query', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify({ controller: 'auth', action: 'getCurrentUser', jwt }),
    });
    expect(query.json.result._id).toBe('alice');
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    try {
      await kuzzle.auth.login('local', { username: 'alice', password: PASSWORD });
      expect((await kuzzle.auth.getCurrentUser())._id).toBe('alice');
    } finally {
      kuzzle.disconnect();
    }
  });
});

describe('with server.http.acceptTokenInQuery', () => {
  it("authenticates with the URL's token, as Kuzzle does", async () => {
    const jwt = await start(true);
    const answer = await httpCall(server.url, `/_me?jwt=${jwt}`);
    expect(answer.status).toBe(200);
    expect(answer.json.result._id).toBe('alice');
  });

  it('still refuses a password in the URL', async () => {
    await start(true);
    const answer = await httpCall(
      server.url,
      `/_login/local?username=alice&password=${encodeURIComponent(PASSWORD)}`,
      {
        method: 'POST',
      },
    );
    expect(answer.json.error.id).toBe('network.http.secret_in_url');
  });
});
