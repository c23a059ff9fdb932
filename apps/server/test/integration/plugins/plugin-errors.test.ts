/**
 * A plugin's own errors, declared with definePluginErrors: registered at boot, refused when they break a rule,
 * and answered to kuzzle-sdk with their own id and code.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { definePlugin, definePluginErrors, isTesseraError, type PluginErrors } from '@tessera/plugin-sdk';
import type { PluginSource } from '@tessera/kernel';
import { startTestKernel } from '@tessera/testing';

const teapotErrors = definePluginErrors('teapot', 0xa7, {
  no_coffee: { code: 0x12, status: 418, message: 'No coffee from "%s".' },
});

const pluginWith = (name: string, errors: PluginErrors | undefined): PluginSource => ({
  manifest: { name, version: '1.0.0', kernel: '>=0.1.0 <1', main: 'index.js' },
  definition: definePlugin({
    errors,
    setup(ctx) {
      ctx.api.register('pot', {
        brew: {
          http: [{ verb: 'GET', path: 'brew' }],
          handler: (request) => {
            throw teapotErrors.create('no_coffee', request.input.args.from ?? 'nobody');
          },
        },
      });
    },
  }),
});

async function bootFailure(plugins: PluginSource[]): Promise<string> {
  const booted = await startTestKernel({ plugins }).then(
    async (server) => {
      await server.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
  if (!isTesseraError(booted)) throw new Error(`expected the boot to fail, got ${String(booted)}`);
  return booted.message;
}

describe.each([
  ['Http', (port: number) => new Http('127.0.0.1', { port })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const)("a plugin's own error over %s", (_protocol, protocolOn) => {
  it('reaches kuzzle-sdk with its own id, code, status and message', async () => {
    const server = await startTestKernel({ plugins: [pluginWith('teapot', teapotErrors)] });
    const kuzzle = new Kuzzle(protocolOn(server.port));
    try {
      await kuzzle.connect();
      const error = await kuzzle.query({ controller: 'teapot/pot', action: 'brew', from: 'kettle' }).then(
        () => undefined,
        (reason: unknown) => reason as Record<string, unknown>,
      );
      expect(error).toMatchObject({
        id: 'plugin.teapot.no_coffee',
        code: 0x04a70012,
        status: 418,
        message: 'No coffee from "kettle".',
      });
    } finally {
      kuzzle.disconnect();
      await server.stop();
    }
  });
});

describe('the boot', () => {
  it('lists the errors each running plugin declared', async () => {
    const server = await startTestKernel({ plugins: [pluginWith('teapot', teapotErrors)] });
    try {
      expect(server.kernel.pluginErrors()).toEqual([
        {
          plugin: 'teapot',
          subdomain: 0xa7,
          errors: [
            { id: 'plugin.teapot.no_coffee', code: 0x04a70012, status: 418, message: 'No coffee from "%s".' },
          ],
        },
      ]);
    } finally {
      await server.stop();
    }
  });

  it('refuses two plugins claiming the same error subdomain, naming both', async () => {
    const kettleErrors = definePluginErrors('kettle', 0xa7, {
      cold: { code: 1, status: 400, message: 'Cold.' },
    });
    expect(await bootFailure([pluginWith('teapot', teapotErrors), pluginWith('kettle', kettleErrors)])).toBe(
      'Plugin "kettle": error subdomain 0xa7 is already held by "teapot"',
    );
  });

  it("refuses errors declared under another plugin's name", async () => {
    expect(await bootFailure([pluginWith('kettle', teapotErrors)])).toMatch(
      /^Plugin "kettle": "errors" must come from definePluginErrors\("kettle", \.\.\.\)/,
    );
  });

  it('refuses a subdomain of the kernel, a duplicate code and a status that is not an error', async () => {
    const kernelSubdomain = definePluginErrors('kettle', 0x80, {
      cold: { code: 1, status: 400, message: 'C' },
    });
    expect(await bootFailure([pluginWith('kettle', kernelSubdomain)])).toBe(
      'Plugin "kettle": error subdomain must be an integer from 0x90 to 0xff',
    );
    const twice = definePluginErrors('kettle', 0x93, {
      cold: { code: 1, status: 400, message: 'Cold.' },
      hot: { code: 1, status: 400, message: 'Hot.' },
    });
    expect(await bootFailure([pluginWith('kettle', twice)])).toBe(
      'Plugin "kettle": error "hot" needs a code from 1 to 0xffff that no other of its errors has',
    );
    const ok = definePluginErrors('kettle', 0x93, { cold: { code: 1, status: 200, message: 'Cold.' } });
    expect(await bootFailure([pluginWith('kettle', ok)])).toBe(
      'Plugin "kettle": error "cold" needs an HTTP status from 400 to 599',
    );
  });
});
