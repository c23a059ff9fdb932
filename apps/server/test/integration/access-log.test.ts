/**
 * The access log: off by default; on (`log.accessLog`), one line per request with its id, kuid, action, status
 * and error id, and nothing of a body or a token.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { createRecordingLogger, startTestKernel, type LogLine, type TestKernel } from '@tessera/testing';

let server: TestKernel | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function exercise(accessLog: boolean): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  server = await startTestKernel({
    plugins: builtInPlugins(),
    log: createRecordingLogger(lines),
    overrides: { log: { accessLog } },
  });
  const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await kuzzle.connect();
  try {
    await kuzzle.security.createUser('alice', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'alice', password: 'alice password' } },
    });
    await kuzzle.auth.login('local', { username: 'alice', password: 'alice password' });
    await kuzzle.auth.getCurrentUser();
    // Refused or not found, depending on the open rights of a server without an admin: an error either way.
    await expect(
      kuzzle.query({ controller: 'security', action: 'getUser', _id: 'nobody' }),
    ).rejects.toMatchObject({
      id: expect.any(String),
    });
  } finally {
    kuzzle.disconnect();
  }
  return lines.filter((line) => line.message === 'request');
}

describe('the access log', () => {
  it('is off by default', async () => {
    expect(await exercise(false)).toEqual([]);
  });

  it('writes one line per request, with its id and kuid, and no secret', async () => {
    const lines = await exercise(true);
    const byAction = (action: string) => lines.find((line) => line.fields.action === action)?.fields;
    expect(byAction('login')).toMatchObject({
      requestId: expect.any(String),
      kuid: '-1',
      controller: 'auth',
      protocol: 'http',
      ip: '127.0.0.1',
      status: 200,
      ms: expect.any(Number),
    });
    expect(byAction('getCurrentUser')).toMatchObject({ kuid: 'alice', status: 200 });
    expect(byAction('getUser')).toMatchObject({
      kuid: 'alice',
      error: expect.stringMatching(/^[a-z]+\.[a-z_]+\./),
    });
    expect(JSON.stringify(lines)).not.toMatch(/alice password|kauth-/);
  });
});
