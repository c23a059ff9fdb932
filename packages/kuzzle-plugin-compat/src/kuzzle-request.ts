/**
 * Kuzzle's request object, as a Kuzzle plugin reads it, over Tessera's request: `input` (controller, action,
 * body, args, `resource` with `_id`/`index`/`collection`, jwt, volatile), `context` (user, connection) and the
 * getters the plugins call. A view made from a Tessera request keeps a link to it, which is what
 * `accessors.execute` acts on behalf of; a request a plugin builds with `constructors.Request` inherits the link
 * of the request or context it was built from.
 */
import type { ApiRequest, JsonObject } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';

/** The Tessera request a Kuzzle request stands for, hidden from the plugin's enumeration. */
const ORIGINAL = Symbol('tessera.request');

const RESOURCE_KEYS = ['_id', 'index', 'collection'] as const;
const ENVELOPE_KEYS = new Set([
  'controller',
  'action',
  'body',
  'jwt',
  'volatile',
  'requestId',
  ...RESOURCE_KEYS,
]);

export interface KuzzleRequestContext {
  user: { _id: string; profileIds: readonly string[] } | null;
  connection: {
    id: string | null;
    protocol: string | null;
    ips: readonly string[];
    misc: { headers: Record<string, string> };
  };
  token: null;
  [ORIGINAL]?: ApiRequest;
}

export interface KuzzleRequestInput {
  controller: string | null;
  action: string | null;
  body: JsonObject | null;
  args: Record<string, unknown>;
  resource: { _id?: string; index?: string; collection?: string };
  jwt: string | null;
  volatile: JsonObject | null;
}

export class KuzzleRequest {
  readonly id: string;
  readonly timestamp: number;
  readonly input: KuzzleRequestInput;
  readonly context: KuzzleRequestContext;
  status = 102;
  result: unknown = null;
  error: unknown = null;

  constructor(data: Readonly<Record<string, unknown>>, context: Partial<KuzzleRequestContext> = {}) {
    const args: Record<string, unknown> = {};
    const resource: KuzzleRequestInput['resource'] = {};
    for (const [key, value] of Object.entries(data)) {
      if ((RESOURCE_KEYS as readonly string[]).includes(key) && typeof value === 'string')
        resource[key as (typeof RESOURCE_KEYS)[number]] = value;
      else if (!ENVELOPE_KEYS.has(key) && value !== undefined) args[key] = value;
    }
    this.id = typeof data.requestId === 'string' ? data.requestId : crypto.randomUUID();
    this.timestamp = Date.now();
    this.input = {
      controller: typeof data.controller === 'string' ? data.controller : null,
      action: typeof data.action === 'string' ? data.action : null,
      body: isObject(data.body) ? (data.body as JsonObject) : null,
      args,
      resource,
      jwt: typeof data.jwt === 'string' ? data.jwt : null,
      volatile: isObject(data.volatile) ? (data.volatile as JsonObject) : null,
    };
    const connection = context.connection ?? { id: null, protocol: null, ips: [], misc: { headers: {} } };
    this.context = { user: context.user ?? null, connection, token: null };
    const original = context[ORIGINAL];
    if (original) Object.defineProperty(this.context, ORIGINAL, { value: original, enumerable: false });
  }

  /** Kuzzle's `refresh` argument: `"wait_for"`, or `false` (every write here is visible at once anyway). */
  getRefresh(defaultValue: string = 'false'): 'wait_for' | false {
    const refresh = this.input.args.refresh ?? defaultValue;
    return refresh === 'wait_for' ? 'wait_for' : false;
  }

  getBody(defaultValue?: JsonObject): JsonObject {
    if (this.input.body) return this.input.body;
    if (defaultValue !== undefined) return defaultValue;
    throw tesseraError('api.assert.body_required');
  }

  getId(): string | undefined {
    return this.input.resource._id;
  }

  getUser(): KuzzleRequestContext['user'] {
    return this.context.user;
  }

  getKuid(): string | null {
    return this.context.user?._id ?? null;
  }

  getString(name: string, defaultValue?: string): string | undefined {
    const value = this.input.args[name];
    return typeof value === 'string' ? value : defaultValue;
  }

  getBoolean(name: string): boolean {
    const value = this.input.args[name];
    return value === true || value === 'true' || value === 1 || value === '';
  }

  /** Kuzzle's `setResult(result, {status})`. */
  setResult(result: unknown, options: { status?: number } = {}): void {
    this.result = result;
    this.status = options.status ?? 200;
    this.error = null;
  }

  /** The envelope a Tessera funnel reads for this request. */
  toEnvelope(): Record<string, unknown> {
    const { controller, action, body, args, resource, volatile } = this.input;
    return {
      ...args,
      ...resource,
      controller,
      action,
      ...(body ? { body } : {}),
      ...(volatile ? { volatile } : {}),
    };
  }
}

/** The Kuzzle view of a request Tessera is serving (an action's, or a strategy method's). */
export function kuzzleRequestOf(request: ApiRequest): KuzzleRequest {
  const { controller, action, body, jwt, volatile, args } = request.input;
  const context: Partial<KuzzleRequestContext> = {
    user: request.user,
    connection: {
      id: request.connection.id,
      protocol: request.connection.protocol,
      ips: request.connection.ips,
      misc: { headers: { ...request.connection.headers } },
    },
    [ORIGINAL]: request,
  };
  const view = new KuzzleRequest({ ...args, controller, action, jwt, volatile }, context);
  // The same body object: a change the plugin makes is seen by the kernel, as in Kuzzle.
  view.input.body = body;
  return view;
}

/**
 * `constructors.Request`, with Kuzzle's two forms: `new Request(request, data, options?)` builds a request from
 * another (its context, resource, arguments, jwt and volatile carried over), `new Request(data, context?)` from
 * an envelope and a context (the local strategy passes `request.context`).
 */
export function KuzzleRequestConstructor(
  first: unknown,
  second?: Readonly<Record<string, unknown>>,
): KuzzleRequest {
  if (first instanceof KuzzleRequest) {
    const data = second ?? {};
    const request = new KuzzleRequest(
      { ...first.input.args, ...first.input.resource, ...data },
      first.context,
    );
    if (data.jwt === undefined) request.input.jwt = first.input.jwt;
    request.input.volatile = {
      ...first.input.volatile,
      ...(isObject(data.volatile) ? (data.volatile as JsonObject) : {}),
    };
    return request;
  }
  if (!isObject(first)) throw tesseraError('plugin.kuzzle.bad_request', 'A request needs its data.');
  return new KuzzleRequest(first as Record<string, unknown>, second ?? {});
}

/** The Tessera request a Kuzzle request acts for, if it was made from one. */
export function originalOf(request: unknown): ApiRequest | undefined {
  if (!(request instanceof KuzzleRequest)) return undefined;
  return request.context[ORIGINAL];
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
