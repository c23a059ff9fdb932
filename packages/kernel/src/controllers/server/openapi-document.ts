/**
 * A first OpenAPI 3.1 description of the HTTP API, generated from the action registry (so it never disagrees
 * with the router): one operation per served route, aliases included, with its path placeholders, the action's
 * declared arguments as query parameters, a JSON body where the verb takes one, and Kuzzle's response envelope.
 * Reserved routes (actions not served) are left out.
 */
import type { JsonObject } from '@tessera/plugin-sdk';
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
  };
}

function operation(
  route: RegisteredRoute,
  { args = {}, body }: ActionDefinition,
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
      default: { description: 'A Kuzzle error, in the envelope', content: ENVELOPE },
    },
  };
}
