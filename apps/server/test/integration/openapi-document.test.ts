/**
 * The OpenAPI 3.1 document `GET /_openapi` serves, checked by an OpenAPI validator, and complete: every action the
 * server registers (the audit trail's and the plugins' included) is in it with its arguments, its body and the
 * error ids it may answer; the actions only WebSocket can reach are listed apart.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createAuditTrail } from '@tessera/audit';
import { errorCatalog } from '@tessera/plugin-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
}
interface Operation {
  operationId: string;
  summary: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean };
  'x-error-ids': string[];
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  'x-websocket-actions': Record<string, Omit<Operation, 'operationId'>>;
}

let server: TestKernel;
let document: OpenApi;

beforeAll(async () => {
  server = await startTestKernel({
    plugins: builtInPlugins(),
    extensions: [createAuditTrail({ enabled: true, retention: 0 })],
  });
  document = (await (await fetch(`${server.url}/_openapi`)).json()) as OpenApi;
});

afterAll(async () => {
  await server.stop();
});

/** Every operation of the document, by `controller:action`, the first route of each. */
function operationsByAction(): Map<string, Operation> {
  const found = new Map<string, Operation>();
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      if (!found.has(operation.summary)) found.set(operation.summary, operation);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  it('lists every registered action, over HTTP or as a WebSocket-only action', () => {
    const operations = operationsByAction();
    const registered = Object.entries(server.kernel.registry.publicApi()).flatMap(([controller, actions]) =>
      Object.keys(actions).map((action) => `${controller}:${action}`),
    );
    expect(registered).toContain('security:searchAuditEvents');
    const missing = registered.filter(
      (action) => !operations.has(action) && !(action in document['x-websocket-actions']),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(document['x-websocket-actions']).sort()).toEqual([
      'realtime:count',
      'realtime:join',
      'realtime:subscribe',
      'realtime:unsubscribe',
    ]);
  });

  it("names each action's arguments, body and error ids", () => {
    const operations = operationsByAction();
    const login = operations.get('auth:login')!;
    expect(login.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'strategy', in: 'path', required: true }),
        expect.objectContaining({ name: 'expiresIn', in: 'query', required: false }),
      ]),
    );
    expect(login['x-error-ids']).toEqual(
      expect.arrayContaining([
        'plugin.strategy.missing_user',
        'api.process.too_many_logins_requests',
        'security.user.locked',
      ]),
    );
    expect(operations.get('security:createUser')!.requestBody).toEqual(
      expect.objectContaining({ required: true }),
    );
    expect(operations.get('security:createUser')!['x-error-ids']).toContain('api.assert.body_required');
    const subscribe = document['x-websocket-actions']['realtime:subscribe']!;
    expect(subscribe.parameters?.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['index', 'collection']),
    );

    const everyOperation = [
      ...Object.values(document.paths).flatMap((operations) => Object.values(operations)),
      ...Object.values(document['x-websocket-actions']),
    ];
    for (const operation of everyOperation) {
      expect(operation['x-error-ids']).toEqual(expect.arrayContaining(['security.rights.forbidden']));
      const unknown = operation['x-error-ids'].filter((id) => !(id in errorCatalog));
      expect({ action: operation.summary, unknown }).toEqual({ action: operation.summary, unknown: [] });
    }
  });
});
