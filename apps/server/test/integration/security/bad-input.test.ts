/**
 * No 5xx for bad input (issue 12, item 8): whatever an anonymous client sends, over HTTP or WebSocket, it gets a
 * Kuzzle error it can act on (never a 5xx, never silence), and the server keeps serving.
 */
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { httpCall, nested, openRawSocket, postJson, rawHttp } from '../wire';

const PASSWORD = 'correct horse battery staple';
const ADMIN = JSON.stringify({
  content: {},
  credentials: { local: { username: 'admin', password: PASSWORD } },
});
const DEPTH = 10_000;

/** Koncorde's `not`, nested `depth` times around one condition. */
const nestedNot = (depth: number) => `${'{"not":'.repeat(depth)}{"equals":{"a":1}}${'}'.repeat(depth)}`;
/** The Elasticsearch form: `bool.must_not`, nested `depth` times. */
const nestedMustNot = (depth: number) =>
  `${'{"bool":{"must_not":['.repeat(depth)}{"term":{"a":1}}${']}}'.repeat(depth)}`;

function expectClientError(answer: { status: number; error?: { id?: string } | null }, id?: string) {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  if (id) expect(answer.error?.id).toBe(id);
}

describe('a fresh server, where anonymous callers may still do everything', () => {
  let server: TestKernel;

  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
  });

  afterAll(async () => {
    await server.stop();
  });

  describe('request ids that cannot be echoed in a header', () => {
    it.each([
      ['CR/LF (header injection)', 'a\r\nSet-Cookie: authToken=stolen'],
      ['non-ASCII', '日本'],
      ['a control character', 'a\u0000b'],
    ])(
      'refuses a POST /_query requestId with %s with a 400, under a request id of its own',
      async (_, id) => {
        const { status, headers, json } = await postJson(
          server.url,
          '/_query',
          JSON.stringify({ controller: 'server', action: 'now', requestId: id }),
        );
        expect(status).toBe(400);
        expect(json.error).toMatchObject({
          id: 'api.assert.invalid_argument',
          props: ['requestId', expect.any(String)],
        });
        expect(headers.get('set-cookie')).toBeNull();
        expect(json.requestId).not.toBe(id);
        expect(headers.get('x-kuzzle-request-id')).toBe(json.requestId);
      },
    );

    it('refuses a non-ASCII X-Kuzzle-Request-Id header with a 400', async () => {
      const answer = await rawHttp(
        server.port,
        'GET /_now HTTP/1.1\r\nHost: x\r\nX-Kuzzle-Request-Id: caf\u00e9',
      );
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({
        id: 'api.assert.invalid_argument',
        props: ['requestId', expect.any(String)],
      });
      expect(answer.headers['x-kuzzle-request-id']).toBe(answer.json.requestId);
    });

    it('refuses them over WebSocket too, with exactly one answer each', async () => {
      const socket = await openRawSocket(server.port);
      try {
        for (const id of ['a\r\nb', '日本']) {
          socket.send({ controller: 'server', action: 'now', requestId: id });
          const answer = await socket.next();
          expectClientError(answer, 'api.assert.invalid_argument');
        }
        socket.send({ controller: 'server', action: 'now', requestId: 'after' });
        expect(await socket.next()).toMatchObject({ room: 'after', status: 200 });
      } finally {
        socket.close();
      }
    });
  });

  describe(`input nested ${DEPTH} levels deep`, () => {
    it('refuses a deep body, volatile or argument over HTTP with a 400 naming it', async () => {
      const cases: [string, Promise<{ status: number; json: any }>][] = [
        ['body', postJson(server.url, '/_login/local', `{"username":"a","password":${nested(DEPTH)}}`)],
        [
          'volatile',
          postJson(
            server.url,
            '/_query',
            `{"controller":"server","action":"now","volatile":${nested(DEPTH)}}`,
          ),
        ],
        [
          'body',
          postJson(server.url, '/_query', `{"controller":"server","action":"now","body":${nested(DEPTH)}}`),
        ],
        [
          'extra',
          postJson(server.url, '/_query', `{"controller":"server","action":"now","extra":${nested(DEPTH)}}`),
        ],
        [
          'body',
          postJson(
            server.url,
            '/users/_create?_id=deep',
            `{"content":{"profileIds":["default"],"x":${nested(3000)}}}`,
          ),
        ],
        ['volatile', httpCall(server.url, '/_now', { headers: { 'X-Kuzzle-Volatile': nested(2000) } })],
      ];
      for (const [name, call] of cases) {
        const { status, json } = await call;
        expect(status).toBe(400);
        expect(json.error).toMatchObject({
          id: 'api.assert.invalid_argument',
          props: [name, expect.stringContaining('64')],
        });
      }
    });

    it('answers each deep frame over WebSocket, once, with a 400', async () => {
      const socket = await openRawSocket(server.port);
      try {
        for (const field of ['volatile', 'body', 'extra']) {
          socket.send(
            `{"controller":"server","action":"now","requestId":"${field}","${field}":${nested(DEPTH)}}`,
          );
          const answer = await socket.next();
          expect(answer).toMatchObject({ room: field, status: 400, volatile: null });
          expect(answer.error).toMatchObject({
            id: 'api.assert.invalid_argument',
            props: [field, expect.any(String)],
          });
        }
        socket.send({ controller: 'server', action: 'now', requestId: 'after' });
        expect(await socket.next()).toMatchObject({ room: 'after', status: 200 });
      } finally {
        socket.close();
      }
    });

    it('accepts 64 levels', async () => {
      const { status, json } = await postJson(
        server.url,
        '/users/_create?_id=deep-enough',
        `{"content":{"profileIds":["default"],"x":${nested(62)}}}`,
      );
      expect(json.error).toBeNull();
      expect(status).toBe(200);
    });
  });

  describe('search queries the storage engine cannot compile', () => {
    it.each([
      ['Koncorde, 1,100 nested not', '/users/_search?lang=koncorde', nestedNot(1100)],
      ['Elasticsearch, 1,100 nested bool.must_not', '/users/_search', nestedMustNot(1100)],
      ['Koncorde, 1,100 nested not, on profiles', '/profiles/_search?lang=koncorde', nestedNot(1100)],
    ])('refuses %s with a 400', async (_, path, query) => {
      const { status, json } = await postJson(server.url, path, `{"query":${query}}`);
      expect(status).toBe(400);
      expect(json.error.id).toBe('api.assert.invalid_argument');
    });

    it('answers a flat or of 1,000 conditions without a 5xx', async () => {
      const or = Array.from({ length: 1000 }, (_, i) => ({ equals: { name: `n${i}` } }));
      const { status, json } = await postJson(
        server.url,
        '/users/_search?lang=koncorde',
        JSON.stringify({ query: { or } }),
      );
      expect(status).toBeLessThan(500);
      if (status !== 200) expect(json.error.id).not.toMatch(/unexpected_error$/);
    });

    it('still runs a reasonably nested query', async () => {
      const { status, json } = await postJson(
        server.url,
        '/users/_search?lang=koncorde',
        `{"query":${nestedNot(20)}}`,
      );
      expect(status).toBe(200);
      expect(json.result).toEqual({ hits: [], total: 0 });
    });
  });

  describe('WebSocket frames', () => {
    const odd: [string, string][] = [
      ['null', 'null'],
      ['a number', '42'],
      ['a huge number', '1e999'],
      ['a string', '"server:now"'],
      ['an array', '[{"controller":"server","action":"now"}]'],
      ['an empty object', '{}'],
      ['a numeric requestId', '{"controller":"server","action":"now","requestId":7}'],
      ['an object requestId', '{"controller":"server","action":"now","requestId":{"a":1}}'],
      ['an empty requestId', '{"controller":"server","action":"now","requestId":""}'],
      ['a numeric controller', '{"controller":1,"action":"now","requestId":"c"}'],
      ['an array action', '{"controller":"server","action":["now"],"requestId":"a"}'],
      ['an unknown controller', '{"controller":"constructor","action":"now","requestId":"u"}'],
      ['an unknown action', '{"controller":"server","action":"__proto__","requestId":"u"}'],
      ['an array volatile', '{"controller":"server","action":"now","volatile":[1]}'],
      ['a string volatile', '{"controller":"server","action":"now","volatile":"v"}'],
      ['a null body', '{"controller":"auth","action":"login","strategy":"local","body":null}'],
      ['an array body', '{"controller":"auth","action":"login","strategy":"local","body":[1]}'],
      ['a numeric jwt', '{"controller":"auth","action":"checkToken","jwt":1}'],
      ['an object argument', '{"controller":"auth","action":"login","strategy":{"toString":1}}'],
      [
        'a huge expiresIn',
        '{"controller":"auth","action":"login","strategy":"local","expiresIn":1e999,"body":{}}',
      ],
      ['a __proto__ key', '{"controller":"server","action":"now","__proto__":{"polluted":1}}'],
      ['a deep volatile', `{"controller":"server","action":"now","volatile":${nested(DEPTH)}}`],
      [
        'a deep filter',
        `{"controller":"realtime","action":"subscribe","index":"i","collection":"c","body":${nestedNot(DEPTH)}}`,
      ],
      ['not JSON', '{"controller":'],
    ];

    it('answers every frame exactly once, never with a 5xx', async () => {
      const socket = await openRawSocket(server.port);
      try {
        for (const [name, frame] of odd) {
          socket.send(frame);
          const { status } = await socket.next().catch(() => ({ status: 'no answer' }));
          expect({ name, status }).toEqual({ name, status: expect.any(Number) });
          expect({ name, clientError: status < 500 }).toEqual({ name, clientError: true });
        }
        socket.send({ controller: 'server', action: 'now', requestId: 'sentinel' });
        expect(await socket.next()).toMatchObject({ room: 'sentinel', status: 200 });
      } finally {
        socket.close();
      }
    });
  });
});

describe('a server locked down by createFirstAdmin with reset', () => {
  let server: TestKernel;
  let jwt: string;

  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
    const first = await postJson(server.url, '/_createFirstAdmin?_id=admin&reset', ADMIN);
    expect(first.status).toBe(200);
    const login = await postJson(
      server.url,
      '/_login/local',
      JSON.stringify({ username: 'admin', password: PASSWORD }),
    );
    jwt = login.json.result.jwt;
  });

  afterAll(async () => {
    await server.stop();
  });

  it('answers GET /_healthcheck with 200 to a monitoring probe without a token', async () => {
    const { status, json } = await httpCall(server.url, '/_healthcheck');
    expect(status).toBe(200);
    expect(json.result).toEqual({ status: 'green', services: { storageEngine: 'green' } });
  });

  it('keeps server:healthCheck itself under the rights', async () => {
    const { status, json } = await httpCall(server.url, '/_healthCheck');
    expect(status).toBe(401);
    expect(json.error.id).toBe('security.rights.unauthorized');
  });

  it('refuses forged tokens of any shape with a 401, over HTTP and WebSocket', async () => {
    const part = (text: string) => Buffer.from(text).toString('base64url');
    const header = part('{"alg":"HS256","typ":"JWT"}');
    const forged = [
      `kauth-${header}.${part('not json')}.${part('sig')}`,
      `kapikey-${header}.${part('not json')}.${part('sig')}`,
      `kauth-${part('{"alg":')}.${part('{"_id":"admin"}')}.${part('sig')}`,
      `kauth-${header}.${part('[]')}.${part('sig')}`,
    ];
    const socket = await openRawSocket(server.port);
    try {
      for (const token of forged) {
        const { status } = await httpCall(server.url, '/_me', {
          headers: { Authorization: `Bearer ${token}` },
        });
        expect({ token, status }).toEqual({ token, status: 401 });
        socket.send({ controller: 'auth', action: 'getCurrentUser', jwt: token });
        expect({ token, status: (await socket.next()).status }).toEqual({ token, status: 401 });
      }
    } finally {
      socket.close();
    }
  });

  it('refuses a cookie together with a Bearer token with a 401', async () => {
    const { status, json } = await httpCall(server.url, '/_me', {
      headers: { Cookie: `authToken=${jwt}`, Authorization: `Bearer ${jwt}` },
    });
    expect(status).toBe(401);
    expect(json.error).toMatchObject({
      id: 'security.token.ambiguous',
      message: 'Both token and cookie are present, could not decide which one to use.',
    });
  });

  it('gives anonymous junk a 4xx, deep input included', async () => {
    const answers = [
      await postJson(
        server.url,
        '/_query',
        `{"controller":"security","action":"searchUsers","body":{"query":${nestedNot(1100)}}}`,
      ),
      await postJson(
        server.url,
        '/_query',
        JSON.stringify({ controller: 'server', action: 'now', requestId: 'x\ny' }),
      ),
      await postJson(server.url, '/users/_search', '{"query":{"match_all":{}}}'),
      await httpCall(server.url, '/_now', { headers: { Cookie: 'authToken=junk' } }),
    ];
    for (const { status } of answers) expectClientError({ status });
  });
});

describe('a server with cookie authentication off', () => {
  let server: TestKernel;

  beforeAll(async () => {
    server = await startTestKernel({
      plugins: builtInPlugins(),
      overrides: { security: { cookieAuthentication: false } },
    });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('ignores an authToken cookie it never set, rather than refusing every request of that browser', async () => {
    const { status, json } = await httpCall(server.url, '/_me', {
      headers: { Cookie: 'authToken=left-by-another-app' },
    });
    expect(status).toBe(200);
    expect(json.result._id).toBe('-1');
  });

  it('answers cookieAuth with a 400', async () => {
    const { status, json } = await postJson(
      server.url,
      '/_login/local?cookieAuth',
      '{"username":"a","password":"b"}',
    );
    expect(status).toBe(400);
    expect(json.error.id).toBe('security.cookie.unsupported');
  });
});
