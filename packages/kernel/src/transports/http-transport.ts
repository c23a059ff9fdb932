/**
 * HTTP transport (koa + @koa/router): turns an HTTP call into a request envelope for the funnel and the
 * funnel's Request back into Kuzzle's JSON response. Routes come from the action registry; no business
 * logic lives here.
 */
import { validateHeaderValue, type IncomingMessage } from 'node:http';
import Koa from 'koa';
import Router, { type RouterContext } from '@koa/router';
import type { ConnectionInfo, Logger } from '@tessera/plugin-sdk';
import { TesseraError, isTesseraError, tesseraError } from '@tessera/plugin-sdk';
import type { ActionRegistry, RegisteredRoute } from '../api/action-registry';
import type { Funnel } from '../api/funnel';
import type { KernelEventBus } from '../events/event-bus';
import type { Request } from '../api/request';
import { isPlainObject, isUsableRequestId } from '../api/envelope';
import type { HealthReport } from '../controllers/server/service-probe';
import { answerJson, describeConnection, failedRequest, transportRequest, type ProxyTrust } from './wire';

export interface HttpTransportOptions {
  readonly funnel: Funnel;
  readonly registry: ActionRegistry;
  readonly bus: KernelEventBus;
  readonly log: Logger;
  readonly nodeId: string;
  readonly maxRequestSize: number;
  /** Which peers' forwarded headers are believed (`server.trustedProxies`, compiled by proxy-addr). */
  readonly trustProxy: ProxyTrust;
  /** Kuzzle reads a token from `?jwt=`; unless this is set, such a URL is refused. */
  readonly acceptTokenInQuery: boolean;
  /** The origins allowed to call from a browser; `*` lets any origin call, without credentials. */
  readonly allowOrigins: readonly string[];
  /** Cookie authentication is on: origins named in `allowOrigins` get `Access-Control-Allow-Credentials`. */
  readonly allowCredentials: boolean;
  /** Ready to serve (for `GET /_ready`). */
  readonly isReady: () => boolean;
  /** For the monitoring route `GET /_healthcheck`. */
  readonly checkHealth: () => Promise<HealthReport>;
}

interface State {
  connection: ConnectionInfo;
}

type Context = Koa.ParameterizedContext<State>;

const ALLOW_HEADERS =
  'Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With, Content-Length, Content-Encoding, X-Kuzzle-Volatile, X-Kuzzle-Request-Id';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';
const SUPPORTED_VERBS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/**
 * The one body type read. A browser sends a request of another type (an HTML form: urlencoded, multipart or
 * text/plain; a text/plain fetch) to any origin without asking first (no CORS preflight), with its cookies:
 * reading such bodies would let any page reach a cookie-authenticated action. So they are refused, even empty.
 */
const JSON_CONTENT_TYPE = 'application/json';
/** What koa's `ctx.type = 'application/json'` writes, written as is. */
const JSON_ANSWER_TYPE = 'application/json; charset=utf-8';

export interface HttpTransport {
  readonly app: Koa<State>;
  /** HTTP requests being served now: each counts as a connection while it runs (`server:metrics`, as Kuzzle). */
  readonly runningRequests: number;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const { funnel, registry, bus, log, nodeId } = options;
  const app = new Koa<State>();
  let running = 0;
  const router = new Router<State>({ exclusive: 'specificity' });
  const exactRoutes = exactRouteTable();
  /** Registers a route with the router, and in the table of exact paths when it can serve from there. */
  const route = (
    path: string,
    verbs: readonly HttpMethod[],
    handler: RouteHandler,
    routeOptions: { sensitive?: boolean } = {},
  ): void => {
    router.register(path, [...verbs], handler, routeOptions);
    for (const verb of verbs) exactRoutes.add(verb, path, handler);
  };

  const send = (ctx: Context, request: Request): void => {
    const indent = 'pretty' in ctx.query ? 2 : undefined;
    // A raw answer (Kuzzle's, for server:openapi) is the result itself; an error still comes in the envelope.
    // A raw text result with its own content-type (the Prometheus format of server:metrics) goes as it is.
    const rawText =
      request.raw &&
      !request.error &&
      typeof request.result === 'string' &&
      'content-type' in request.headers;
    const body = rawText
      ? (request.result as string)
      : answerJson(request, nodeId, log, (envelope) =>
          JSON.stringify(request.raw && !request.error ? request.result : envelope, null, indent),
        );
    // All or none: a header an action set that cannot be written fails the answer before any of them is set.
    for (const name in request.headers) validateHeaderValue(name, request.headers[name]!);
    validateHeaderValue('X-Kuzzle-Request-Id', request.id);
    ctx.status = request.status;
    // The action's headers first: the request id and node headers are ours, whatever an action set.
    for (const name in request.headers) ctx.set(name, request.headers[name]!);
    ctx.set('X-Kuzzle-Request-Id', request.id);
    ctx.set('X-Kuzzle-Node', nodeId);
    if (!rawText) ctx.set('Content-Type', JSON_ANSWER_TYPE);
    ctx.body = body;
  };

  /** The answer to a request that failed outside the funnel; a fault of ours is logged here, as the funnel would. */
  const fail = (ctx: Context, error: unknown): void => {
    const known = isTesseraError(error)
      ? error
      : new TesseraError('core.runtime.unexpected_error', [safeRequestId(ctx)], { cause: error });
    if (known.status >= 500) {
      log.error('HTTP request failed', {
        requestId: safeRequestId(ctx),
        method: ctx.method,
        path: ctx.path,
        error: known,
      });
    }
    send(ctx, failedRequest(known, ctx.state.connection, safeRequestId(ctx)));
    if (known.id === 'network.http.request_too_large') ctx.set('Connection', 'close');
  };

  const execute = async (ctx: Context, envelope: Record<string, unknown>): Promise<void> => {
    send(ctx, await funnel.execute(envelope, ctx.state.connection));
  };

  // Kuzzle's monitoring route, outside the funnel: no token, no rights and no request budget, so a probe gets its
  // answer whatever the rights; `GET /_healthCheck` (case matters here) stays the action server:healthCheck, under
  // the rights. Registered first: of two equally specific routes, the first one serves.
  route(
    '/_healthcheck',
    ['GET'],
    async (ctx) => {
      const health = await options.checkHealth();
      const request = transportRequest(ctx.state.connection, safeRequestId(ctx), 'server', 'healthCheck');
      request.setResult(health, health.status === 'green' ? 200 : 503);
      send(ctx, request);
    },
    { sensitive: true },
  );

  for (const registered of registry.routes()) {
    route(registered.path, [registered.verb], async (ctx) => {
      const envelope = routeEnvelope(ctx, registered);
      if (registered.verb !== 'GET') envelope.body = await readJsonBody(ctx.req, options.maxRequestSize);
      await execute(ctx, envelope);
    });
  }

  route('/_query', ['POST'], async (ctx) => {
    const body = await readJsonBody(ctx.req, options.maxRequestSize);
    if (!isPlainObject(body)) throw tesseraError('api.assert.invalid_type', 'body', 'object');
    const jwt = bearerToken(ctx);
    await execute(ctx, {
      requestId: requestIdOf(ctx),
      ...body,
      ...(body.jwt === undefined && jwt ? { jwt } : {}),
    });
  });

  route('/_ready', ['GET'], (ctx) => {
    const ready = options.isReady();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ctx.status, ready };
  });

  route('/', ['HEAD'], (ctx) => {
    ctx.status = 200;
  });

  const routed = router.routes();
  const dispatch = async (ctx: Context, next: Koa.Next): Promise<void> => {
    const handler = exactRoutes.find(ctx.method, ctx.path);
    const routeContext = ctx as RouteContext;
    if (handler === undefined) {
      await routed(routeContext, next);
      return;
    }
    routeContext.params = {};
    await handler(routeContext, next);
  };

  app.use(async (ctx, next) => {
    ctx.state.connection = describeConnection('http', ctx.req, options.trustProxy);
    // Each request is a connection of its own, announced (then its end) only while something hooks either
    // event: the kernel itself follows only sockets, and most deployments nothing at all.
    const announced = bus.listens('connection:new') || bus.listens('connection:remove');
    if (announced) bus.emit('connection:new', ctx.state.connection);
    running += 1;
    try {
      applyCors(ctx, options);
      if (!SUPPORTED_VERBS.has(ctx.method)) throw tesseraError('network.http.unsupported_verb', ctx.method);
      if (ctx.method === 'OPTIONS') {
        ctx.status = 200;
        return;
      }
      refuseSecretsInUrl(ctx, options.acceptTokenInQuery);
      await dispatch(ctx, next);
      if (ctx.body === undefined && ctx.status === 404)
        throw tesseraError('network.http.url_not_found', ctx.path);
    } catch (error) {
      fail(ctx, error);
    } finally {
      running -= 1;
      if (announced) bus.emit('connection:remove', ctx.state.connection);
    }
  });
  // What escapes the middleware above (a failure while koa writes the answer) still reaches the logs.
  app.on('error', (error: unknown) => log.error('HTTP transport error', { error }));
  return {
    app,
    get runningRequests() {
      return running;
    },
  };
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
type RouteContext = RouterContext<State>;
type RouteHandler = (ctx: RouteContext, next: Koa.Next) => unknown;

/** A path with no placeholder, wildcard or pattern: it matches exactly one request path, its own. */
const LITERAL_PATH = /^[/\w.~-]*$/;

/**
 * The routes a request can reach without the router, which tests every route's pattern in turn on each request.
 * A path is served from here only when the request names it exactly and no other route of that verb could match
 * it (the router ignores case unless told otherwise, and its first match serves): the router serves all else
 * (placeholders, HEAD on a GET route, a trailing slash, another case) as before.
 */
function exactRouteTable() {
  const routes = new Map<string, RouteHandler>();
  /** The first literal route of each verb and path, its case ignored: a second one leaves both to the router. */
  const first = new Map<string, string>();
  const claim = (verb: string, path: string, handler: RouteHandler | null): void => {
    const exact = `${verb} ${path}`;
    const caseless = `${verb} ${path.toLowerCase()}`;
    const earlier = first.get(caseless);
    if (earlier === undefined) {
      first.set(caseless, exact);
      if (handler !== null) routes.set(exact, handler);
    } else {
      routes.delete(earlier);
    }
  };
  return {
    add(verb: HttpMethod, path: string, handler: RouteHandler): void {
      if (!LITERAL_PATH.test(path)) return;
      claim(verb, path, handler);
      // The router answers HEAD with a GET route too: a HEAD route of the same path is then left to it.
      if (verb === 'GET') claim('HEAD', path, null);
    },
    find(verb: string, path: string): RouteHandler | undefined {
      return routes.get(`${verb} ${path}`);
    },
  };
}

/**
 * Kuzzle's HTTP mapping: route placeholders and the query string become arguments; the body, read by the caller
 * (a GET has none), stays the body.
 */
function routeEnvelope(
  ctx: Context & { params: Record<string, string> },
  route: RegisteredRoute,
): Record<string, unknown> {
  // Null prototype: a `__proto__` query key stays an own property, which the funnel then refuses.
  const envelope = Object.create(null) as Record<string, unknown>;
  const { query, params } = ctx;
  for (const key in query) envelope[key] = query[key];
  for (const key in params) envelope[key] = params[key];
  const jwt = bearerToken(ctx);
  if (jwt) envelope.jwt = jwt;
  const volatile = ctx.get('x-kuzzle-volatile');
  if (volatile) {
    try {
      envelope.volatile = JSON.parse(volatile) as unknown;
    } catch (error) {
      throw tesseraError('network.http.volatile_parse_failed', (error as Error).message);
    }
  }
  envelope.body = null;
  envelope.controller = route.controller;
  envelope.action = route.action;
  envelope.requestId = requestIdOf(ctx);
  return envelope;
}

/**
 * A secret in a URL ends up in access logs (ours, a proxy's) and browser history, whatever the answer: any
 * query-string key naming a password (`password`, `currentPassword`...) is refused on every route, and so is a
 * token (`jwt`) unless the operator kept Kuzzle's `?jwt=`.
 */
function refuseSecretsInUrl(ctx: Context, acceptTokenInQuery: boolean): void {
  for (const key of Object.keys(ctx.query)) {
    const secret = key.toLowerCase().endsWith('password') || (key === 'jwt' && !acceptTokenInQuery);
    if (secret) throw tesseraError('network.http.secret_in_url', key);
  }
}

/** `Authorization: Bearer <token>`; other schemes are ignored, so the request is anonymous. */
function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  return header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7) : null;
}

/** The client's `X-Kuzzle-Request-Id`, for the funnel to check like any envelope's; else the connection's id. */
function requestIdOf(ctx: Context): string {
  return ctx.get('x-kuzzle-request-id') || ctx.state.connection.id;
}

/** The request id of an answer written outside the funnel: the client's only when it can be echoed as is. */
function safeRequestId(ctx: Context): string {
  const requestId = requestIdOf(ctx);
  return isUsableRequestId(requestId) ? requestId : ctx.state.connection.id;
}

/**
 * An origin named in `allowOrigins` is answered with itself, plus `Access-Control-Allow-Credentials` when cookie
 * authentication is on; any other origin gets `*`, which browsers never combine with credentials, when the list
 * has `*`, and `api.process.unauthorized_origin` otherwise.
 */
function applyCors(ctx: Context, { allowOrigins, allowCredentials }: HttpTransportOptions): void {
  ctx.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
  ctx.set('Access-Control-Allow-Methods', ALLOW_METHODS);
  const origin = ctx.get('origin');
  if (!origin) return;
  ctx.vary('Origin');
  if (origin !== '*' && allowOrigins.includes(origin)) {
    ctx.set('Access-Control-Allow-Origin', origin);
    if (allowCredentials) ctx.set('Access-Control-Allow-Credentials', 'true');
  } else if (allowOrigins.includes('*')) {
    ctx.set('Access-Control-Allow-Origin', '*');
  } else {
    throw tesseraError('api.process.unauthorized_origin', origin);
  }
}

/**
 * Reads at most `limit` bytes: a larger body is refused as soon as it is known to be larger. A request that
 * declares a body type must declare JSON (utf-8), and a body must come with that declaration.
 */
async function readJsonBody(message: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(message.headers['content-length'] ?? 0);
  if (declared > limit) throw tesseraError('network.http.request_too_large');
  const contentType = message.headers['content-type'];
  if (contentType !== undefined) {
    const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
    if (type !== JSON_CONTENT_TYPE) throw tesseraError('network.http.unsupported_content', type);
    const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice(8);
    if (charset && charset !== 'utf-8' && charset !== 'utf8')
      throw tesseraError('network.http.unsupported_charset', charset);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tesseraError('network.http.request_too_large');
    chunks.push(buffer);
  }
  if (size === 0) return null;
  if (contentType === undefined) throw tesseraError('network.http.unsupported_content', '');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw tesseraError('network.http.body_parse_failed', (error as Error).message);
  }
}
