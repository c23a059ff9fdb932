/**
 * Every 5xx is logged (issue 12, item 9): at error level, with its stack and its whole cause chain, secrets
 * redacted, whether it was raised in the funnel or by a transport writing the answer; and never a stack on the
 * wire. A plugin with faulty actions produces the faults, as a plugin with a bug would.
 */
import { redact } from '@tessera/kernel';
import { definePlugin, type LogFields } from '@tessera/plugin-sdk';
import { createRecordingLogger, startTestKernel, type LogLine, type TestKernel } from '@tessera/testing';
import { openRawSocket, postJson } from '../wire';

const faulty = definePlugin({
  setup(ctx) {
    ctx.api.register('probe', {
      fail: {
        handler() {
          const root = new Error('root cause', { cause: { password: 'hunter2', disk: 'sda' } });
          throw new Error('disk on fire', { cause: root });
        },
      },
      // A BigInt cannot be written as JSON: the transport finds out while writing the answer.
      unserializable: { handler: () => ({ count: 10n }) },
    });
  },
});

let server: TestKernel;
const lines: LogLine[] = [];

beforeAll(async () => {
  server = await startTestKernel({
    log: createRecordingLogger(lines),
    plugins: [
      {
        manifest: { name: 'faulty', version: '1.0.0', kernel: '*', main: 'index.js' },
        definition: faulty,
      },
    ],
  });
});

afterAll(async () => {
  await server.stop();
});

/** The fields of the error lines about `requestId`, as the JSON logger writes them. */
function loggedErrors(requestId: string): any[] {
  return lines
    .filter((line) => line.level === 'error' && line.fields.requestId === requestId)
    .map((line) => redact(line.fields) as LogFields);
}

function expectNothingInternalOnTheWire(text: string) {
  for (const internal of ['stack', 'root cause', 'hunter2', '    at ']) expect(text).not.toContain(internal);
}

/** Runs a faulty action over HTTP, checks the 500 the client gets, and returns the one error logged about it. */
async function failOverHttp(
  action: string,
  requestId: string,
  id = 'core.runtime.unexpected_error',
): Promise<any> {
  const { status, text, json } = await postJson(
    server.url,
    '/_query',
    JSON.stringify({ controller: 'faulty/probe', action, requestId }),
  );
  expect(status).toBe(500);
  expect(json).toMatchObject({ requestId, error: { id } });
  expectNothingInternalOnTheWire(text);
  const logged = loggedErrors(requestId);
  expect(logged).toHaveLength(1);
  return logged[0].error;
}

describe('a 5xx raised in the funnel', () => {
  it('is logged once at error level with its stack and cause chain, secrets redacted', async () => {
    // What a plugin's action throws is the plugin's failure (DESIGN.md: plugin.runtime.unexpected_error).
    const error = await failOverHttp('fail', 'fail-1', 'plugin.runtime.unexpected_error');
    expect(error).toMatchObject({
      id: 'plugin.runtime.unexpected_error',
      stack: expect.stringContaining('TesseraError'),
      cause: {
        message: 'disk on fire',
        stack: expect.stringMatching(/^Error: disk on fire\n\s+at /),
        cause: {
          message: 'root cause',
          stack: expect.stringMatching(/^Error: root cause\n\s+at /),
          cause: { password: '[redacted]', disk: 'sda' },
        },
      },
    });
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});

describe('a 5xx raised while a transport writes the answer', () => {
  it('is logged over HTTP, with its stack and cause', async () => {
    expect(await failOverHttp('unserializable', 'bigint-http')).toMatchObject({
      id: 'core.runtime.unexpected_error',
      stack: expect.any(String),
      cause: { message: expect.stringContaining('BigInt'), stack: expect.stringContaining('TypeError') },
    });
  });

  it('is logged over WebSocket, and the frame still gets its one answer', async () => {
    const socket = await openRawSocket(server.port);
    try {
      socket.send({ controller: 'faulty/probe', action: 'unserializable', requestId: 'bigint-ws' });
      const answer = await socket.next();
      expect(answer).toMatchObject({
        room: 'bigint-ws',
        status: 500,
        error: { id: 'core.runtime.unexpected_error' },
      });
      expectNothingInternalOnTheWire(JSON.stringify(answer));
      socket.send({ controller: 'server', action: 'now', requestId: 'after' });
      expect(await socket.next()).toMatchObject({ room: 'after', status: 200 });
    } finally {
      socket.close();
    }
    const logged = loggedErrors('bigint-ws');
    expect(logged).toHaveLength(1);
    expect(logged[0].error).toMatchObject({
      stack: expect.any(String),
      cause: { message: expect.stringContaining('BigInt'), stack: expect.any(String) },
    });
  });
});

it('logs no 4xx at error level', async () => {
  const before = lines.length;
  await postJson(server.url, '/_query', JSON.stringify({ controller: 'nope', action: 'nope' }));
  await postJson(server.url, '/_login/local', '{not json');
  expect(lines.slice(before).filter((line) => line.level === 'error')).toEqual([]);
});
