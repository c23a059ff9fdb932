import {
  createSilentLogger,
  ActionRegistry,
  Funnel,
  arg,
  createEventBus,
  defineAction,
  type RequestAuthorizer,
} from '@tessera/kernel';
import type { ApiRequest, ConnectionInfo, Logger } from '@tessera/plugin-sdk';
import { TesseraError } from '@tessera/plugin-sdk';
import { createRecordingLogger, type LogLine } from '@tessera/testing';

const connection: ConnectionInfo = { id: 'c1', protocol: 'websocket', address: null, ips: [], headers: {} };
const quiet: Logger = createSilentLogger();
const everyone: RequestAuthorizer = {
  authorize: (request) => {
    request.user = { _id: '-1', profileIds: ['anonymous'] };
    return Promise.resolve();
  },
};

function build(
  options: {
    authorizer?: RequestAuthorizer;
    log?: Logger;
    concurrentRequests?: number;
    buffer?: number;
  } = {},
) {
  const registry = new ActionRegistry();
  const bus = createEventBus(quiet);
  const funnel = new Funnel({
    registry,
    bus,
    log: options.log ?? quiet,
    authorizer: options.authorizer ?? everyone,
    limits: {
      concurrentRequests: options.concurrentRequests ?? 10,
      requestsBufferSize: options.buffer ?? 10,
    },
  });
  return { registry, bus, funnel };
}

describe('funnel', () => {
  it('runs the action with its typed arguments and answers a Kuzzle envelope', async () => {
    const { registry, funnel } = build();
    registry.register('greeting', {
      sayHello: defineAction({
        args: { name: arg.string({ required: true }) },
        handler: (_request, { name }) => ({ hello: name }),
      }),
    });
    const request = await funnel.execute(
      { controller: 'greeting', action: 'sayHello', name: 'my', requestId: 'r1', volatile: { v: 1 } },
      connection,
    );
    expect(request.response('n1')).toEqual({
      requestId: 'r1',
      status: 200,
      error: null,
      controller: 'greeting',
      action: 'sayHello',
      index: null,
      collection: null,
      volatile: { v: 1 },
      result: { hello: 'my' },
      node: 'n1',
    });
  });

  it('stamps when it began running a request, before its first pipe; a refused envelope is never run', async () => {
    const { registry, bus, funnel } = build();
    registry.register('c', { doIt: defineAction({ handler: () => null }) });
    let seenAtFirstPipe: number | null = null;
    bus.pipe('request:beforeExecution', (request) => {
      seenAtFirstPipe = (request as unknown as { startedAt: number | null }).startedAt;
      return request;
    });
    const before = performance.now();
    const ran = await funnel.execute({ controller: 'c', action: 'doIt' }, connection);
    expect(ran.startedAt).toBe(seenAtFirstPipe);
    expect(ran.startedAt).toBeGreaterThanOrEqual(before);
    expect(ran.startedAt).toBeLessThanOrEqual(performance.now());
    const refused = await funnel.execute({ controller: 7, action: 'doIt' }, connection);
    expect(refused.error?.id).toBe('api.assert.invalid_type');
    expect(refused.startedAt).toBeNull();
  });

  it('fires the request pipes in the documented order and lets before/after pipes change the request', async () => {
    const { registry, bus, funnel } = build();
    const order: string[] = [];
    registry.register('c', { doIt: defineAction({ handler: (request) => ({ body: request.input.body }) }) });
    for (const event of [
      'request:beforeExecution',
      'c:beforeDoIt',
      'c:afterDoIt',
      'request:onSuccess',
      'request:afterExecution',
    ]) {
      bus.pipe(event, (request) => {
        order.push(event);
        return request;
      });
    }
    bus.pipe('c:beforeDoIt', (request) => {
      request.input.body = { changed: true };
      return request;
    });
    bus.pipe('c:afterDoIt', (request) => {
      request.result = { wrapped: request.result };
      return request;
    });
    const request = await funnel.execute({ controller: 'c', action: 'doIt' }, connection);
    expect(order).toEqual([
      'request:beforeExecution',
      'c:beforeDoIt',
      'c:afterDoIt',
      'request:onSuccess',
      'request:afterExecution',
    ]);
    expect(request.result).toEqual({ wrapped: { body: { changed: true } } });
  });

  it('answers unknown controllers and actions with Kuzzle errors', async () => {
    const { registry, funnel } = build();
    registry.register('c', { a: defineAction({ handler: () => null }) });
    const noController = await funnel.execute({ controller: 'nope', action: 'a' }, connection);
    expect(noController.error?.toJSON()).toMatchObject({
      id: 'api.process.controller_not_found',
      code: 0x02020004,
      status: 404,
    });
    const noAction = await funnel.execute({ controller: 'c', action: 'nope' }, connection);
    expect(noAction.error?.toJSON()).toMatchObject({ id: 'api.process.action_not_found', status: 404 });
  });

  it('refuses a missing required body before the action runs', async () => {
    const { registry, funnel } = build();
    const handler = jest.fn();
    registry.register('c', { a: defineAction({ body: 'required', handler }) });
    const request = await funnel.execute({ controller: 'c', action: 'a' }, connection);
    expect(request.error?.id).toBe('api.assert.body_required');
    expect(handler).not.toHaveBeenCalled();
  });

  it('lets a before pipe refuse the request, then runs onError', async () => {
    const { registry, bus, funnel } = build();
    const handler = jest.fn();
    registry.register('c', { a: defineAction({ handler }) });
    bus.pipe('c:beforeA', () => {
      throw new TesseraError('security.rights.forbidden', ['c', 'a', 'u']);
    });
    const onError = jest.fn((request: ApiRequest) => request);
    bus.pipe('request:onError', onError);
    const request = await funnel.execute({ controller: 'c', action: 'a' }, connection);
    expect(request.error?.id).toBe('security.rights.forbidden');
    expect(handler).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('hides an unexpected failure behind a generic error and logs it with its cause, its request and caller', async () => {
    const lines: LogLine[] = [];
    const { registry, funnel } = build({ log: createRecordingLogger(lines) });
    const cause = new Error('db password is hunter2');
    registry.register('c', {
      a: defineAction({
        handler: () => {
          throw cause;
        },
      }),
    });
    const request = await funnel.execute({ controller: 'c', action: 'a', requestId: 'r9' }, connection);
    const wire = JSON.stringify(request.response('n'));
    expect(request.error?.toJSON()).toMatchObject({ id: 'core.runtime.unexpected_error', status: 500 });
    expect(wire).not.toContain('hunter2');
    expect(wire).toContain('r9');
    expect(lines.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'request failed',
        fields: expect.objectContaining({ requestId: 'r9', kuid: '-1', error: request.error }),
      },
    ]);
    expect(request.error?.cause).toBe(cause);
  });

  it('refuses requests past the waiting line with api.process.overloaded', async () => {
    const { registry, funnel } = build({ concurrentRequests: 1, buffer: 1 });
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    registry.register('c', { slow: defineAction({ handler: () => blocked }) });
    const running = funnel.execute({ controller: 'c', action: 'slow' }, connection);
    const waiting = funnel.execute({ controller: 'c', action: 'slow' }, connection);
    const refused = await funnel.execute({ controller: 'c', action: 'slow' }, connection);
    expect(refused.error?.toJSON()).toMatchObject({ id: 'api.process.overloaded', status: 503 });
    release();
    expect((await running).error).toBeNull();
    expect((await waiting).error).toBeNull();
  });

  it('drains: waits for in-flight requests and refuses new ones', async () => {
    const { registry, funnel } = build();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    registry.register('c', { slow: defineAction({ handler: async () => (await blocked, 'done') }) });
    const inFlight = funnel.execute({ controller: 'c', action: 'slow' }, connection);
    await new Promise((resolve) => setImmediate(resolve));
    const drained = funnel.drain(5000);
    const late = await funnel.execute({ controller: 'c', action: 'slow' }, connection);
    expect(late.error?.id).toBe('api.process.shutting_down');
    release();
    await drained;
    expect((await inFlight).result).toBe('done');
  });

  it('publishes every route of the registry in publicApi, with url and verb as kuzzle-sdk reads them', () => {
    const registry = new ActionRegistry();
    registry.register('auth', {
      login: defineAction({ http: [{ verb: 'POST', path: '/_login/:strategy' }], handler: () => null }),
    });
    expect(registry.publicApi()).toEqual({
      auth: {
        login: {
          controller: 'auth',
          action: 'login',
          http: [{ verb: 'POST', url: '/_login/:strategy', path: '/_login/:strategy' }],
        },
      },
    });
    expect(registry.routes()).toEqual([
      { verb: 'POST', path: '/_login/:strategy', controller: 'auth', action: 'login', kind: 'published' },
    ]);
  });
});
