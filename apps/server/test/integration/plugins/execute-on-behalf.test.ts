/**
 * `ctx.api.execute`: a plugin runs an action on behalf of the caller of a request it is handling, with that
 * caller's rights, and only for a request the kernel handed it.
 */
import { Http, Kuzzle } from 'kuzzle-sdk';
import { definePlugin, type ApiRequest, type ExecutionOutcome } from '@tessera/plugin-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const relay = definePlugin({
  setup(ctx) {
    const summary = ({ status, result, error }: ExecutionOutcome) => ({
      status,
      result,
      error: error?.id ?? null,
    });
    ctx.api.register('relay', {
      // Runs the envelope in the body on behalf of whoever called.
      run: {
        handler: async (request: ApiRequest) =>
          summary(await ctx.api.execute(request.input.body ?? {}, request)),
      },
      // Tries to act for a request of its own making, holding another token.
      forge: {
        handler: async (request: ApiRequest) => {
          const forged = { ...request, input: { ...request.input, jwt: request.input.body?.jwt as string } };
          return summary(await ctx.api.execute({ controller: 'auth', action: 'getCurrentUser' }, forged));
        },
      },
    });
  },
});

let server: TestKernel;
let admin: Kuzzle;
let adminToken: string;

beforeAll(async () => {
  server = await startTestKernel({
    plugins: [
      ...builtInPlugins(),
      { manifest: { name: 'relay', version: '1.0.0', kernel: '*', main: 'index.js' }, definition: relay },
    ],
  });
  admin = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
  await admin.connect();
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'admin', password: 'a long admin passphrase' } } },
    { reset: true },
  );
  adminToken = await admin.auth.login('local', { username: 'admin', password: 'a long admin passphrase' });
  const anonymous = await admin.security.getRole('anonymous');
  await admin.security.updateRole('anonymous', {
    controllers: { ...anonymous.controllers, 'relay/relay': { actions: { run: true, forge: true } } },
  });
});

afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

async function relayAs(jwt: string | null, action: string, body: Record<string, unknown>) {
  const response = await fetch(`${server.url}/_query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}) },
    body: JSON.stringify({ controller: 'relay/relay', action, body }),
  });
  return (await response.json()) as { result: unknown; error: { id: string } | null };
}

it("runs the action as the caller: the admin's request may create a user, the anonymous one may not", async () => {
  const createUser = {
    controller: 'security',
    action: 'createUser',
    _id: 'relayed',
    body: { content: { profileIds: ['default'] } },
  };
  expect((await relayAs(null, 'run', createUser)).result).toMatchObject({
    status: 401,
    error: 'security.rights.unauthorized',
  });
  expect((await relayAs(adminToken, 'run', createUser)).result).toMatchObject({ status: 200, error: null });
  expect((await admin.security.getUser('relayed'))._id).toBe('relayed');
});

it('ignores a token named in the envelope: the caller is who the request says', async () => {
  const outcome = await relayAs(null, 'run', {
    controller: 'auth',
    action: 'getCurrentUser',
    jwt: adminToken,
  });
  expect(outcome.result).toMatchObject({ status: 200, result: { _id: '-1' } });
});

it('refuses to act for anything but a request the kernel handed the plugin', async () => {
  expect((await relayAs(null, 'forge', { jwt: adminToken })).error).toMatchObject({
    id: 'plugin.assert.invalid_caller',
  });
});
