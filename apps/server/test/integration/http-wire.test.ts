/**
 * The HTTP wire format, byte by byte where the SDK hides it, and every kind of bad input answered with a
 * Kuzzle error while the server keeps serving.
 */
import { startTestKernel, type TestKernel } from '@tessera/testing';

let server: TestKernel;

beforeEach(async () => {
  server = await startTestKernel();
});

afterEach(async () => {
  await server.stop();
});

/** One HTTP call; a body goes as JSON unless the test names another type, as kuzzle-sdk sends it. */
async function call(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('Content-Type'))
    headers.set('Content-Type', 'application/json');
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { response, text, json: JSON.parse(text) as Record<string, any> };
}

async function expectStillServing() {
  const { response, json } = await call('/_now');
  expect(response.status).toBe(200);
  expect(typeof json.result.now).toBe('number');
}

describe('HTTP routes and envelopes', () => {
  it('answers a route with the Kuzzle envelope, JSON content type and the node and request id headers', async () => {
    const { response, json } = await call('/_now', { headers: { 'X-Kuzzle-Request-Id': 'req-42' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-kuzzle-request-id')).toBe('req-42');
    expect(response.headers.get('x-kuzzle-node')).toBe(server.kernel.nodeId);
    expect(json).toMatchObject({
      requestId: 'req-42',
      status: 200,
      error: null,
      controller: 'server',
      action: 'now',
    });
  });

  it('serves a route without placeholders in every form of its path the router accepts', async () => {
    for (const path of ['/_now', '/_now/', '/_NOW', '/_now?pretty']) {
      const { response, json } = await call(path);
      expect({ path, status: response.status, action: json.action }).toEqual({
        path,
        status: 200,
        action: 'now',
      });
    }
    const head = await fetch(`${server.url}/_now`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-kuzzle-node')).toBe(server.kernel.nodeId);
    const wrongVerb = await call('/_now', { method: 'DELETE' });
    expect(wrongVerb.response.status).toBe(404);
    expect(wrongVerb.json.error.id).toBe('network.http.url_not_found');
  });

  it('writes the same answer whichever way a request was routed, literal route or router', async () => {
    const answers = [];
    for (const path of ['/_now', '/_NOW']) {
      const { response, json } = await call(path, {
        headers: { Origin: 'https://app.example', 'X-Kuzzle-Request-Id': 'same-id' },
      });
      const headers = Object.fromEntries(
        [...response.headers].filter(([name]) => !['date', 'content-length'].includes(name)),
      );
      answers.push({ status: response.status, headers, envelope: { ...json, result: null } });
      const secret = await call(`${path}?password=hunter2`);
      expect(secret.response.status).toBe(400);
      expect(secret.json.error.id).toBe('network.http.secret_in_url');
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.headers).toMatchObject({
      'access-control-allow-origin': '*',
      vary: 'Origin',
      'x-kuzzle-request-id': 'same-id',
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it('serves the health check and readiness routes', async () => {
    const health = await call('/_healthcheck');
    expect(health.response.status).toBe(200);
    expect(health.json.result.status).toBe('green');
    const ready = await call('/_ready');
    expect(ready.response.status).toBe(200);
  });

  it('publishes the routes kuzzle-sdk builds its Http protocol from', async () => {
    const { json } = await call('/_publicApi');
    expect(json.result.server.now.http).toEqual([{ verb: 'GET', url: '/_now', path: '/_now' }]);
    expect(json.result.server.publicApi.http[0].url).toBe('/_publicApi');
  });

  it('takes a whole envelope on POST /_query, with the bearer token injected', async () => {
    const { json } = await call('/_query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ controller: 'server', action: 'now', requestId: 'q1' }),
    });
    // No token can be valid yet, so the injected one is refused: proof that it was injected.
    expect(json).toMatchObject({ requestId: 'q1', status: 401, error: { id: 'security.token.invalid' } });
  });

  it('ignores authorization schemes other than Bearer', async () => {
    const { response } = await call('/_now', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(response.status).toBe(200);
  });

  it('reads the volatile header and echoes it', async () => {
    const { json } = await call('/_now', { headers: { 'X-Kuzzle-Volatile': '{"app":"x"}' } });
    expect(json.volatile).toEqual({ app: 'x' });
    const bad = await call('/_now', { headers: { 'X-Kuzzle-Volatile': '{nope' } });
    expect(bad.json.error.id).toBe('network.http.volatile_parse_failed');
  });

  it('indents the answer with ?pretty', async () => {
    const { text } = await call('/_now?pretty');
    expect(text).toContain('\n  "requestId"');
  });

  it('sets CORS headers, answering any Origin with "*" by default', async () => {
    const { response } = await call('/_now', { headers: { Origin: 'https://app.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(response.headers.get('access-control-allow-headers')).toContain('X-Kuzzle-Volatile');
    const preflight = await fetch(`${server.url}/_login/local`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(200);
  });
});

describe('HTTP requests as connections', () => {
  const httpEvents = () => {
    const seen: [string, string][] = [];
    return {
      seen,
      record: (payload: unknown, event: string) => {
        const connection = payload as { protocol: string; id: string };
        if (connection.protocol === 'http') seen.push([event, connection.id]);
      },
    };
  };

  it('announces the end of each request to a plugin that hooks connection:remove alone', async () => {
    const { seen, record } = httpEvents();
    server.kernel.bus.hook('connection:remove', record);
    await expectStillServing();
    expect(seen.map(([event]) => event)).toEqual(['connection:remove']);
  });

  it('announces each request as connection:new then connection:remove, same id, once something hooks connection:*', async () => {
    const { seen, record } = httpEvents();
    server.kernel.bus.hook('connection:*', record);
    await expectStillServing();
    expect(seen.map(([event]) => event)).toEqual(['connection:new', 'connection:remove']);
    expect(seen[0]![1]).toBe(seen[1]![1]);
  });

  it('counts the running request in server:metrics, with no hook on the connection events', async () => {
    const { json } = await call('/_metrics');
    expect(json.result.network.connections).toEqual({ http: 1 });
  });
});

describe('HTTP bad input', () => {
  it('answers a malformed JSON body with network.http.body_parse_failed', async () => {
    const { response, json } = await call('/_query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"controller": "server",',
    });
    expect(response.status).toBe(400);
    expect(json.error).toMatchObject({ id: 'network.http.body_parse_failed', code: 0x0301000c, status: 400 });
    expect(json.error).not.toHaveProperty('stack');
    await expectStillServing();
  });

  it('answers a non-string controller or action with api.assert.invalid_type', async () => {
    for (const envelope of [
      { controller: 1, action: 'now' },
      { controller: 'server', action: { a: 1 } },
    ]) {
      const { response, json } = await call('/_query', { method: 'POST', body: JSON.stringify(envelope) });
      expect(response.status).toBe(400);
      expect(json.error.id).toBe('api.assert.invalid_type');
    }
    await expectStillServing();
  });

  it('refuses a 2MB body with 413 network.http.request_too_large', async () => {
    const body = JSON.stringify({ controller: 'server', action: 'now', pad: 'x'.repeat(2 * 1024 * 1024) });
    const { response, json } = await call('/_query', { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(json.error.id).toBe('network.http.request_too_large');
    await expectStillServing();
  });

  it('answers an unknown route with 404 network.http.url_not_found', async () => {
    const { response, json } = await call('/no/such/route');
    expect(response.status).toBe(404);
    expect(json.error).toMatchObject({
      id: 'network.http.url_not_found',
      message: 'API URL not found: /no/such/route.',
    });
    await expectStillServing();
  });

  it('refuses a content type other than JSON', async () => {
    const { json } = await call('/_query', {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: '<a/>',
    });
    expect(json.error.id).toBe('network.http.unsupported_content');
  });

  it('refuses a __proto__ key in a body or query string without polluting any prototype', async () => {
    const body = await call('/_query', {
      method: 'POST',
      body: '{"controller":"server","action":"now","body":{"__proto__":{"polluted":true}}}',
    });
    expect(body.json.error).toMatchObject({ id: 'api.assert.invalid_argument', status: 400 });
    const query = await call('/_now?__proto__[polluted]=yes&__proto__=x');
    expect(query.json.error.id).toBe('api.assert.invalid_argument');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectStillServing();
  });

  it('answers a query to an unknown controller through /_query with a Kuzzle error', async () => {
    const { response, json } = await call('/_query', {
      method: 'POST',
      body: JSON.stringify({ controller: 'x', action: 'y' }),
    });
    expect(response.status).toBe(404);
    expect(json.error).toMatchObject({ id: 'api.process.controller_not_found', code: 0x02020004 });
  });
});
