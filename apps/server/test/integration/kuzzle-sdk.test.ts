/**
 * The official kuzzle-sdk 7, unchanged, against a real server: over Http and over WebSocket.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { startTestKernel, type TestKernel } from '@tessera/testing';

// Over Http the SDK routes by the published routes, so a call to a controller the server does not have needs a
// custom route to leave the client at all; the server then answers that the URL is unknown.
const unknownRoute = { nope: { now: { verb: 'GET', url: '/_nope/now' } } };

const protocols = [
  ['Http', (port: number) => new Http('127.0.0.1', { port, customRoutes: unknownRoute })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const;

describe.each(protocols)('kuzzle-sdk over %s', (_name, makeProtocol) => {
  let server: TestKernel;
  let kuzzle: Kuzzle;

  beforeEach(async () => {
    server = await startTestKernel();
    kuzzle = new Kuzzle(makeProtocol(server.port));
    await kuzzle.connect();
  });

  afterEach(async () => {
    kuzzle.disconnect();
    await server.stop();
  });

  it('reads the server clock', async () => {
    const before = Date.now();
    const now = await kuzzle.server.now({});
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('reads the server information, including the routes it publishes', async () => {
    const info = (await kuzzle.server.info({})) as {
      serverInfo: { kuzzle: { version: string; api: { routes: object } } };
    };
    expect(info.serverInfo.kuzzle.version).toBe(server.kernel.version);
    expect(info.serverInfo.kuzzle.api.routes).toHaveProperty('server.now.http');
  });

  it('gets a Kuzzle error with id, code and status for an unknown controller', async () => {
    const attempt = kuzzle.query({ controller: 'nope', action: 'now' });
    const expected =
      kuzzle.protocol instanceof Http
        ? {
            id: 'network.http.url_not_found',
            code: 0x03010007,
            status: 404,
            message: 'API URL not found: /_nope/now.',
          }
        : {
            id: 'api.process.controller_not_found',
            code: 0x02020004,
            status: 404,
            message: 'API controller "nope" not found.',
          };
    await expect(attempt).rejects.toMatchObject(expected);
  });

  it('answers the health check', async () => {
    const response = await kuzzle.query({ controller: 'server', action: 'healthCheck' });
    expect(response.result).toEqual({ status: 'green', services: { storageEngine: 'green' } });
  });
});
