/**
 * Property-based fuzzing of the wire (issue 12), against a real server: the HTTP request envelope, WebSocket
 * frames, and every registered action with generated arguments and bodies. Whatever comes in, the answer is a
 * result or a Kuzzle error `{status, id, code, message}`: never a 5xx, never a stack, never a frame left
 * unanswered, never an error logged (every 5xx is), never an unhandled rejection. The actions come from the
 * server's own registry (`server:publicApi`), so a new action is fuzzed without touching this file.
 * `TESSERA_FUZZ_RUNS` and `TESSERA_FUZZ_SEED` make a long run (see docs/security.md).
 */
import fc from 'fast-check';
import { builtInPlugins } from '@tessera/server';
import {
  createRecordingLogger,
  fuzzParameters,
  startTestKernel,
  type LogLine,
  type TestKernel,
} from '@tessera/testing';
import { httpCall, openRawSocket, type RawSocket } from '../wire';

// A long run (TESSERA_FUZZ_RUNS) takes as long as it needs; the default one stays within jest's timeout.
if (process.env.TESSERA_FUZZ_RUNS) jest.setTimeout(24 * 60 * 60 * 1000);

/** Actions whose success changes what every later request may do: fuzzed elsewhere, never here. */
const LEAVE_OUT = new Set(['security:createFirstAdmin']);

/** Argument names the actions read, so that generated requests get past the first checks. */
const ARG_NAMES = [
  '_id',
  'strategy',
  'index',
  'collection',
  'from',
  'size',
  'scroll',
  'scrollId',
  'refresh',
  'expiresIn',
  'reset',
  'jwt',
  'cookieAuth',
  'lang',
  'strict',
  'onlyPlugins',
  'roomId',
  'scope',
  'users',
  'volatile',
  'ids',
  'controllers',
  'roles',
  'userId',
  'apiKeyId',
  'kuid',
  'sort',
  'includeKuzzleMeta',
  'verb',
  'username',
  'password',
  'redirect',
  'state',
  'code',
  '__proto__',
  'constructor',
];
const STRINGS = [
  '',
  'local',
  'default',
  'anonymous',
  'kuid-1',
  '%auth',
  'events',
  'wait_for',
  '1h',
  '-1',
  '0',
  'true',
  'false',
  '*',
  '../..',
  '\u0000',
  '\r\n',
  'é',
  '__proto__',
  '{}',
  'kauth-x',
  'Bearer x',
];

const text = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.string({ maxLength: 16 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const json = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: text },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom(...ARG_NAMES), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  },
);
const args = fc.dictionary(fc.oneof(fc.constantFrom(...ARG_NAMES), fc.string({ maxLength: 8 })), json, {
  maxKeys: 5,
});

/** What fetch lets a header carry: visible ASCII (other bytes are the raw-socket tests' business). */
const headerText = fc.oneof(
  fc.constantFrom('', 'kauth-x', 'x.y.z', '%00'),
  fc.stringMatching(/^[\x20-\x7e]{0,24}$/),
);

let server: TestKernel;
let socket: RawSocket;
let actions: [controller: string, action: string][];
const lines: LogLine[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startTestKernel({ plugins: builtInPlugins(), log: createRecordingLogger(lines) });
  socket = await openRawSocket(server.port);
  const api = (await httpCall(server.url, '/_publicApi')).json.result as Record<
    string,
    Record<string, unknown>
  >;
  actions = Object.entries(api)
    .flatMap(([controller, byAction]) =>
      Object.keys(byAction).map((action) => [controller, action] as [string, string]),
    )
    .filter(([controller, action]) => !LEAVE_OUT.has(`${controller}:${action}`));
});

afterAll(async () => {
  socket.close();
  await server.stop();
  process.off('unhandledRejection', onUnhandled);
});

afterEach(() => {
  // A 5xx is logged at error level (item 9): none may have happened, whatever the property checked.
  expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([]);
  expect(unhandled).toEqual([]);
});

/** A Kuzzle answer: a result, or an error object in the catalog's shape, never a 5xx or a stack. */
function expectKuzzleAnswer(status: number, body: any, raw: string): void {
  expect(status).toBeLessThan(500);
  expect(raw).not.toMatch(/"stack"|\n\s+at /);
  if (status >= 400) {
    expect(body?.error).toEqual(
      expect.objectContaining({
        status,
        id: expect.stringMatching(/^[a-z]+\.[a-z_-]+\.[a-z_]+$/),
        code: expect.any(Number),
        message: expect.any(String),
      }),
    );
  }
}

it('knows the actions it fuzzes from the registry', () => {
  expect(actions).toEqual(
    expect.arrayContaining([
      ['auth', 'login'],
      ['security', 'createUser'],
      ['server', 'now'],
    ]),
  );
});

it('HTTP: any envelope posted to /_query gets a result or a Kuzzle error', async () => {
  const envelope = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...actionsOrPlaceholder()), args, json) },
    { weight: 1, arbitrary: fc.tuple(fc.constant(null), args, json) },
  );
  const headers = fc.record(
    {
      'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
      authorization: fc.oneof(
        headerText.map((t) => `Bearer ${t}`),
        headerText,
      ),
      cookie: headerText.map((t) => `authToken=${encodeURIComponent(t)}`),
      'x-kuzzle-volatile': fc
        .jsonValue({ maxDepth: 2 })
        .map((v) => JSON.stringify(v).replace(/[^\x20-\x7e]/g, '?')),
    },
    { requiredKeys: ['content-type'] },
  );
  await fc.assert(
    fc.asyncProperty(envelope, headers, fc.boolean(), async ([target, extra, body], head, asText) => {
      const request = { ...extra, ...(target ? { controller: target[0], action: target[1] } : {}), body };
      const answer = await httpCall(server.url, '/_query', {
        method: 'POST',
        headers: head as Record<string, string>,
        body: asText ? JSON.stringify(request).slice(0, -1) : JSON.stringify(request),
      });
      expectKuzzleAnswer(answer.status, answer.json, answer.text);
    }),
    fuzzParameters(150),
  );
});

it('HTTP: any route of the registry, with generated path and query values, gets a result or a Kuzzle error', async () => {
  const routes = await publishedRoutes();
  const call = fc.tuple(fc.constantFrom(...routes), fc.array(text, { maxLength: 4 }), args, json);
  await fc.assert(
    fc.asyncProperty(call, async ([route, values, query, body]) => {
      let index = 0;
      const path = route.path.replace(/:[A-Za-z_]+/g, () => encodeURIComponent(values[index++] ?? 'x'));
      const search = new URLSearchParams(
        Object.entries(query).map(([key, value]): [string, string] => [
          key,
          typeof value === 'string' ? value : JSON.stringify(value),
        ]),
      );
      const answer = await httpCall(server.url, `${path}?${search.toString()}`, {
        method: route.verb,
        ...(route.verb === 'GET' || route.verb === 'DELETE'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      expectKuzzleAnswer(answer.status, answer.json, answer.text);
    }),
    fuzzParameters(150),
  );
});

it('WebSocket: any frame gets exactly one answer, a result or a Kuzzle error', async () => {
  const frame = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...actionsOrPlaceholder()), args, json).map(toFrame) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  let count = 0;
  await fc.assert(
    fc.asyncProperty(frame, async (sent) => {
      socket.send(sent);
      const answer = await socket.next();
      expectKuzzleAnswer(answer?.status ?? 0, answer, JSON.stringify(answer));
      expect(answer.status).toBeGreaterThanOrEqual(200);
      // Each frame has its own answer: the next ping gets the next answer, so nothing was sent twice.
      const requestId = `ping-${++count}`;
      socket.send({ controller: 'server', action: 'now', requestId });
      expect(await socket.next()).toMatchObject({ room: requestId, status: 200 });
    }),
    fuzzParameters(150),
  );
});

it('every action, with generated arguments and body over WebSocket, answers a result or a Kuzzle error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...actions), args, json, async (target, extra, body) => {
      socket.send(toFrame([target, extra, body]));
      const answer = await socket.next();
      expectKuzzleAnswer(answer.status, answer, JSON.stringify(answer));
    }),
    fuzzParameters(300),
  );
});

function actionsOrPlaceholder(): [string, string][] {
  return actions.length > 0 ? actions : [['server', 'now']];
}

function toFrame([[controller, action], extra, body]: [
  [string, string],
  Record<string, unknown>,
  unknown,
]): string {
  return JSON.stringify({ ...extra, controller, action, body });
}

async function publishedRoutes(): Promise<{ verb: string; path: string }[]> {
  const api = (await httpCall(server.url, '/_publicApi')).json.result as Record<
    string,
    Record<string, { http?: { verb: string; path: string }[] }>
  >;
  return Object.values(api)
    .flatMap((byAction) => Object.values(byAction).flatMap((action) => action.http ?? []))
    .filter((route) => !route.path.includes('_createFirstAdmin'));
}
