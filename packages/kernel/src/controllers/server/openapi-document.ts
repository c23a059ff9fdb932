/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the action registry (so it never disagrees
 * with the router): one operation per served route, aliases included, with its path placeholders, the action's
 * declared arguments as query parameters, a JSON body where the verb takes one, Kuzzle's response envelope, and
 * in `x-error-ids` the error ids the action may answer (see docs/errors.md). Reserved routes (actions not
 * served) are left out. The actions with no HTTP route (realtime subscriptions: WebSocket only) are described
 * apart, in the same form, under the top-level `x-websocket-actions`, since OpenAPI has no WebSocket.
 */
import type { ErrorId, JsonObject } from '@tessera/plugin-sdk';
import type { ActionDefinition, ActionRegistry, RegisteredRoute } from '../../api/action-registry';

export interface OpenApiOptions {
  readonly version: string;
  /** `kuzzle`: every route; `app`: the plugins' routes only (Kuzzle's application scope). */
  readonly scope: 'kuzzle' | 'app';
}

const PLACEHOLDER = /:([A-Za-z0-9_]+)/g;

/** How each argument type of `api/args` reads in a query string. */
const ARG_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  string: { type: 'string' },
  boolean: { type: 'boolean', description: 'A flag: present means true.' },
  integer: { type: 'integer' },
  duration: { type: 'string', description: 'Milliseconds, or an `ms` string such as "30m" or "1 hour".' },
  'string[]': { type: 'string', description: 'Comma-separated values.' },
};

const COMPONENTS: JsonObject = {
  schemas: {
    Error: {
      type: 'object',
      required: ['status', 'id', 'code', 'message'],
      properties: {
        status: { type: 'integer' },
        id: { type: 'string', description: 'domain.subdomain.error (see docs/errors.md)' },
        code: { type: 'integer' },
        message: { type: 'string' },
        props: { type: 'array', items: { type: 'string' } },
      },
    },
    Response: {
      type: 'object',
      description: "Kuzzle's response envelope",
      required: ['requestId', 'status', 'error', 'controller', 'action', 'result', 'node'],
      properties: {
        requestId: { type: 'string' },
        status: { type: 'integer' },
        error: { oneOf: [{ $ref: '#/components/schemas/Error' }, { type: 'null' }] },
        controller: { type: ['string', 'null'] },
        action: { type: ['string', 'null'] },
        index: { type: ['string', 'null'] },
        collection: { type: ['string', 'null'] },
        volatile: { type: ['object', 'null'] },
        result: {},
        node: { type: 'string' },
      },
    },
  },
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'A `kauth-` token or a `kapikey-` API key.' },
  },
};

const ENVELOPE = { 'application/json': { schema: { $ref: '#/components/schemas/Response' } } };

/** What any request may be answered, whatever its action: its token, its rights, the node's load. */
const ANY_REQUEST_ERRORS: readonly ErrorId[] = [
  'security.token.invalid',
  'security.token.expired',
  'security.rights.unauthorized',
  'security.rights.forbidden',
  'api.process.too_many_requests',
  'api.process.overloaded',
  'api.process.shutting_down',
  'core.runtime.unexpected_error',
];

export function openApiDocument(registry: ActionRegistry, { version, scope }: OpenApiOptions): JsonObject {
  const routes = registry
    .routes()
    .filter((route) => route.kind !== 'reserved' && (scope === 'kuzzle' || route.controller.includes('/')));
  const paths: Record<string, Record<string, JsonObject>> = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    const path = route.path.replace(PLACEHOLDER, '{$1}');
    const operations = (paths[path] ??= {});
    const verb = route.verb.toLowerCase();
    // Two actions may claim one path and verb (a plugin's route over a kernel's): the router serves the first.
    if (operations[verb]) continue;
    operations[verb] = operation(route, registry.find(route.controller, route.action), operationIds);
  }
  const websocketActions: Record<string, JsonObject> = {};
  for (const [controller, actions] of Object.entries(registry.publicApi())) {
    if (scope === 'app' && !controller.includes('/')) continue;
    for (const [action, { http }] of Object.entries(actions)) {
      if (http.length > 0) continue;
      const { args = {}, body, errors = [] } = registry.find(controller, action);
      websocketActions[`${controller}:${action}`] = {
        summary: `${controller}:${action}`,
        parameters: Object.entries(args).map(([name, spec]) => ({
          name,
          required: spec.required,
          schema: ARG_SCHEMAS[spec.type] ?? { type: 'string' },
        })),
        ...(body === undefined ? {} : { requestBody: { required: body === 'required' } }),
        'x-error-ids': errorIdsOf(args, body, errors),
      };
    }
  }
  const controllers = [...new Set(routes.map((route) => route.controller))];
  return {
    openapi: '3.1.0',
    info: {
      title: scope === 'kuzzle' ? 'Tessera API' : 'Tessera API: plugins',
      description:
        "Tessera's HTTP API, Kuzzle 2.x's on the wire. Every answer is Kuzzle's response envelope.",
      version,
    },
    tags: controllers.map((name) => ({ name })),
    paths,
    components: COMPONENTS,
    security: [{}, { bearer: [] }],
    'x-websocket-actions': websocketActions,
  };
}

/** The error ids an action may answer: any request's, its arguments' and body's checks, and its own. */
function errorIdsOf(
  args: NonNullable<ActionDefinition['args']>,
  body: ActionDefinition['body'],
  own: readonly ErrorId[],
): string[] {
  const specs = Object.values(args);
  const ids = new Set<string>(ANY_REQUEST_ERRORS);
  if (specs.length > 0) ids.add('api.assert.invalid_type');
  if (specs.some((spec) => spec.required)) ids.add('api.assert.missing_argument');
  if (body === 'required') ids.add('api.assert.body_required');
  for (const id of own) ids.add(id);
  return [...ids].sort();
}

function operation(
  route: RegisteredRoute,
  { args = {}, body, errors = [] }: ActionDefinition,
  operationIds: Set<string>,
): JsonObject {
  const { controller, action, verb } = route;
  const inPath = [...route.path.matchAll(PLACEHOLDER)].map(([, name]) => name!);
  const parameters = [
    ...inPath.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(args)
      .filter(([name]) => !inPath.includes(name))
      .map(([name, spec]) => ({
        name,
        in: 'query',
        required: spec.required,
        schema: ARG_SCHEMAS[spec.type] ?? { type: 'string' },
      })),
  ];
  // The first route of an action takes `controller:action` as its id; others (aliases, a second verb) get a suffix.
  let operationId = `${controller}:${action}`;
  for (let n = 2; operationIds.has(operationId); n++) operationId = `${controller}:${action}:${n}`;
  operationIds.add(operationId);
  return {
    operationId,
    summary: `${controller}:${action}`,
    tags: [controller],
    ...(route.deprecated ? { deprecated: true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(verb === 'GET'
      ? {}
      : {
          requestBody: {
            required: body === 'required',
            content: { 'application/json': { schema: { type: ['object', 'array'] } } },
          },
        }),
    responses: {
      '200': { description: 'The result, in the envelope', content: ENVELOPE },
      default: {
        description: 'A Kuzzle error, in the envelope (its id: see x-error-ids)',
        content: ENVELOPE,
      },
    },
    'x-error-ids': errorIdsOf(args, body, errors),
  };
}
