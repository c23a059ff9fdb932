/**
 * The official kuzzle-sdk 7, unchanged, against a real server: over Http and over WebSocket.
 */
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import { startTestKernel, type TestKernel } from '@tessera/testing';

// Over Http the SDK routes by the published routes, so a call to a controller the server does not have needs a
// custom route to leave the client at all; the server then answers that the URL is unknown.
const unknownRoute = { nope: { now: { verb: 'GET', url: '/_nope/now' } } };

const SECRET = 'a-signing-secret-nobody-may-read-0123456789';

const protocols = [
  ['Http', (port: number) => new Http('127.0.0.1', { port, customRoutes: unknownRoute })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const;

describe.each(protocols)('kuzzle-sdk over %s', (_name, makeProtocol) => {
  let server: TestKernel;
  let kuzzle: Kuzzle;

  beforeEach(async () => {
    server = await startTestKernel({ overrides: { security: { jwt: { secret: SECRET } } } });
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

  it('reads the server information with the fields Kuzzle clients read', async () => {
    const { serverInfo } = (await kuzzle.server.info({})) as { serverInfo: any };
    expect(serverInfo.kuzzle).toMatchObject({
      version: server.kernel.version,
      nodeVersion: process.version,
      memoryUsed: expect.any(Number),
      uptime: expect.stringMatching(/^\d+(\.\d+)?s$/),
      plugins: {},
      system: { memory: { free: expect.any(Number), total: expect.any(Number) } },
    });
    expect(serverInfo.kuzzle.system.cpus.length).toBeGreaterThan(0);
    expect(serverInfo.kuzzle.api.routes).toHaveProperty('server.now.http');
    expect(serverInfo.services).toEqual({
      storageEngine: { type: server.config.storage.engine, status: 'green' },
    });
  });

  it('reads the capabilities, the configuration with its secrets masked, and the metrics', async () => {
    const capabilities = await kuzzle.server.capabilities({});
    expect(capabilities).toMatchObject({
      version: server.kernel.version,
      limits: { concurrentRequests: server.config.limits.concurrentRequests },
      services: { storageEngine: { backend: server.config.storage.engine } },
      plugins: {},
    });
    expect(capabilities.routes).toHaveProperty('auth.login.http');

    const config = await kuzzle.server.getConfig({});
    expect(config.security.jwt).toMatchObject({ secret: '[redacted]', expiresIn: '2h' });
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(config.version).toBe(server.kernel.version);

    const { result: metrics } = await kuzzle.query({ controller: 'server', action: 'metrics' });
    expect(metrics).toEqual({
      api: { concurrentRequests: 1, pendingRequests: 0 },
      network: { connections: expect.any(Object) },
      realtime: { rooms: 0, subscriptions: 0 },
    });
    // The metrics request itself travels on a live connection of the SDK's protocol.
    const protocol = kuzzle.protocol instanceof Http ? 'http' : 'websocket';
    expect(metrics.network.connections[protocol]).toBeGreaterThanOrEqual(1);
  });

  it('describes the API in OpenAPI 3.1, every route included, the deprecated ones marked', async () => {
    const response: any = await kuzzle.query({ controller: 'server', action: 'openapi' });
    // Over HTTP the answer is the document itself, as Kuzzle sends it; over WebSocket, the envelope's result.
    const result = kuzzle.protocol instanceof Http ? response : response.result;
    expect(result).toMatchObject({ openapi: '3.1.0', info: { version: server.kernel.version } });
    expect(result.paths['/_login/{strategy}'].post).toMatchObject({
      operationId: 'auth:login',
      parameters: expect.arrayContaining([
        { name: 'strategy', in: 'path', required: true, schema: { type: 'string' } },
      ]),
    });
    expect(result.paths['/users/_me'].get).toMatchObject({
      summary: 'auth:getCurrentUser',
      deprecated: true,
    });
    // A route of an action not served (a reserved one) is not described.
    expect(result.paths['/users/_scroll/{scrollId}']).toBeUndefined();
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

  it('answers the health check for every service the node uses, or the ones asked for', async () => {
    const response = await kuzzle.query({ controller: 'server', action: 'healthCheck' });
    expect(response.result).toEqual({ status: 'green', services: { storageEngine: 'green' } });
    const some = await kuzzle.query({ controller: 'server', action: 'healthCheck', services: ['nope'] });
    expect(some.result).toEqual({ status: 'green', services: {} });
  });

  it("refuses Kuzzle's deprecated statistics actions as actions it does not serve", async () => {
    await expect(kuzzle.server.getStats(0, Date.now(), {})).rejects.toMatchObject(
      kuzzle.protocol instanceof Http
        ? { message: 'No URL found for "server:getStats".' }
        : { id: 'api.process.action_not_found', status: 404 },
    );
  });
});
