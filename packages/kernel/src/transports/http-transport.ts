/**
 * HTTP transport: turns an HTTP call into a request envelope for the funnel and the funnel's Request back into
 * Kuzzle's JSON response. Routes come from the action registry; no business logic lives here.
 *
 * A request naming a literal route exactly (`GET /_now`, `POST /_login/local`: most calls) is served from node's
 * request and response as they come; koa and @koa/router route the rest (placeholders, HEAD on a GET route,
 * another case, a trailing slash). Either way the same steps run, written once over node's objects (the
 * connection, CORS, secrets in the URL, the route, the answer): on a request the funnel answers from its caches,
 * koa's context and response handling cost as much as the rest of the transport (docs/performance.md).
 */
import { validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
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

/** One HTTP request, whichever way it was routed. */
interface HttpCall {
  readonly message: IncomingMessage;
  readonly response: ServerResponse;
  readonly method: string;
  /** The URL's path, as sent (not decoded). */
  readonly path: string;
  readonly query: ParsedUrlQuery;
  readonly connection: ConnectionInfo;
  /** The route's placeholders, once routed. */
  params: Record<string, string>;
}

interface State {
  call: HttpCall;
}

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
  /** The HTTP server's request listener. */
  readonly listener: (message: IncomingMessage, response: ServerResponse) => void;
  /** HTTP requests being served now: each counts as a connection while it runs (`server:metrics`, as Kuzzle). */
  readonly runningRequests: number;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const { funnel, registry, bus, log, nodeId } = options;
  let running = 0;
  const router = new Router<State>({ exclusive: 'specificity' });
  const exactRoutes = exactRouteTable();
  /** Registers a route with the router, and in the table of exact paths when it can serve from there. */
  const route = (
    path: string,
    verbs: readonly HttpMethod[],
    handler: CallHandler,
    routeOptions: { sensitive?: boolean } = {},
  ): void => {
    const routed = (ctx: RouterContext<State>) => {
      ctx.state.call.params = ctx.params;
      return handler(ctx.state.call);
    };
    router.register(path, [...verbs], routed, routeOptions);
    for (const verb of verbs) exactRoutes.add(verb, path, handler);
  };

  const send = (call: HttpCall, request: Request): void => {
    const indent = 'pretty' in call.query ? 2 : undefined;
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
    const { response } = call;
    response.statusCode = request.status;
    // The action's headers first: the request id and node headers are ours, whatever an action set.
    for (const name in request.headers) response.setHeader(name, request.headers[name]!);
    response.setHeader('X-Kuzzle-Request-Id', request.id);
    response.setHeader('X-Kuzzle-Node', nodeId);
    if (!rawText) response.setHeader('Content-Type', JSON_ANSWER_TYPE);
    end(response, body);
  };

  /** The answer to a request that failed outside the funnel; a fault of ours is logged here, as the funnel would. */
  const fail = (call: HttpCall, error: unknown): void => {
    const known = isTesseraError(error)
      ? error
      : new TesseraError('core.runtime.unexpected_error', [safeRequestId(call)], { cause: error });
    if (known.status >= 500) {
      log.error('HTTP request failed', {
        requestId: safeRequestId(call),
        method: call.method,
        path: call.path,
        error: known,
      });
    }
    // An answer already on its way cannot be replaced: the client sees the connection end.
    if (call.response.headersSent) {
      call.response.destroy();
      return;
    }
    // The rest of an oversized body is not read: the connection cannot carry another request.
    if (known.id === 'network.http.request_too_large') call.response.setHeader('Connection', 'close');
    send(call, failedRequest(known, call.connection, safeRequestId(call)));
  };

  const execute = async (call: HttpCall, envelope: Record<string, unknown>): Promise<void> => {
    send(call, await funnel.execute(envelope, call.connection));
  };

  // Kuzzle's monitoring route, outside the funnel: no token, no rights and no request budget, so a probe gets its
  // answer whatever the rights; `GET /_healthCheck` (case matters here) stays the action server:healthCheck, under
  // the rights. Registered first: of two equally specific routes, the first one serves.
  route(
    '/_healthcheck',
    ['GET'],
    async (call) => {
      const health = await options.checkHealth();
      const request = transportRequest(call.connection, safeRequestId(call), 'server', 'healthCheck');
      request.setResult(health, health.status === 'green' ? 200 : 503);
      send(call, request);
    },
    { sensitive: true },
  );

  for (const registered of registry.routes()) {
    route(registered.path, [registered.verb], async (call) => {
      const envelope = routeEnvelope(call, registered);
      if (registered.verb !== 'GET') envelope.body = await readJsonBody(call.message, options.maxRequestSize);
      await execute(call, envelope);
    });
  }

  route('/_query', ['POST'], async (call) => {
    const body = await readJsonBody(call.message, options.maxRequestSize);
    if (!isPlainObject(body)) throw tesseraError('api.assert.invalid_type', 'body', 'object');
    const jwt = bearerToken(call);
    await execute(call, {
      requestId: requestIdOf(call),
      ...body,
      ...(body.jwt === undefined && jwt ? { jwt } : {}),
    });
  });

  route('/_ready', ['GET'], (call) => {
    const ready = options.isReady();
    const status = ready ? 200 : 503;
    call.response.statusCode = status;
    call.response.setHeader('Content-Type', JSON_ANSWER_TYPE);
    end(call.response, JSON.stringify({ status, ready }));
  });

  route('/', ['HEAD'], (call) => {
    call.response.statusCode = 200;
    call.response.end();
  });

  /** What every request goes through, `handle` being its route (or the router). */
  const serve = async (call: HttpCall, handle: CallHandler): Promise<void> => {
    // Each request is a connection of its own, announced (then its end) only while something hooks either
    // event: the kernel itself follows only sockets, and most deployments nothing at all.
    const announced = bus.listens('connection:new') || bus.listens('connection:remove');
    if (announced) bus.emit('connection:new', call.connection);
    running += 1;
    try {
      applyCors(call, options);
      if (!SUPPORTED_VERBS.has(call.method)) throw tesseraError('network.http.unsupported_verb', call.method);
      if (call.method === 'OPTIONS') {
        call.response.statusCode = 200;
        end(call.response, '');
        return;
      }
      refuseSecretsInUrl(call, options.acceptTokenInQuery);
      await handle(call);
      if (!call.response.headersSent) throw tesseraError('network.http.url_not_found', call.path);
    } catch (error) {
      fail(call, error);
    } finally {
      running -= 1;
      if (announced) bus.emit('connection:remove', call.connection);
    }
  };
  const callOf = (
    message: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: ParsedUrlQuery,
  ): HttpCall => ({
    message,
    response,
    method: message.method ?? '',
    path,
    query,
    connection: describeConnection('http', message, options.trustProxy),
    params: {},
  });
  const logEscaped = (error: unknown) => log.error('HTTP transport error', { error });

  // The router's way: koa parses the URL and the router matches the patterns; the answer is written as above.
  const app = new Koa<State>();
  const routed = router.routes();
  app.use((ctx, next) => {
    ctx.respond = false;
    ctx.state.call = callOf(ctx.req, ctx.res, ctx.path, ctx.query);
    return serve(ctx.state.call, async () => {
      await routed(ctx as RouterContext<State>, next);
    });
  });
  // What escapes (a failure while writing the answer) still reaches the logs.
  app.on('error', logEscaped);
  const viaRouter = app.callback();

  const listener = (message: IncomingMessage, response: ServerResponse): void => {
    const url = message.url ?? '';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const handler = exactRoutes.find(message.method ?? '', path);
    if (handler === undefined) {
      viaRouter(message, response).catch(logEscaped);
      return;
    }
    const query = mark === -1 ? NO_QUERY : parseQuery(url.slice(mark + 1));
    serve(callOf(message, response, path, query), handler).catch(logEscaped);
  };
  return {
    listener,
    get runningRequests() {
      return running;
    },
  };
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
type CallHandler = (call: HttpCall) => Promise<void> | void;

/** The query of a URL without one: shared, never written. */
const NO_QUERY: ParsedUrlQuery = Object.freeze(Object.create(null) as ParsedUrlQuery);

/** Writes the whole answer, its length declared (the body of a HEAD answer is left out by node). */
function end(response: ServerResponse, body: string): void {
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body);
}

/** A path with no placeholder, wildcard or pattern: it matches exactly one request path, its own. */
const LITERAL_PATH = /^[/\w.~-]*$/;

/**
 * The routes a request can reach without the router, which tests every route's pattern in turn on each request.
 * A path is served from here only when the request names it exactly and no other route of that verb could match
 * it (the router ignores case unless told otherwise, and its first match serves): the router serves all else
 * (placeholders, HEAD on a GET route, a trailing slash, another case) as before.
 */
function exactRouteTable() {
  const routes = new Map<string, CallHandler>();
  /** The first literal route of each verb and path, its case ignored: a second one leaves both to the router. */
  const first = new Map<string, string>();
  const claim = (verb: string, path: string, handler: CallHandler | null): void => {
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
    add(verb: HttpMethod, path: string, handler: CallHandler): void {
      if (!LITERAL_PATH.test(path)) return;
      claim(verb, path, handler);
      // The router answers HEAD with a GET route too: a HEAD route of the same path is then left to it.
      if (verb === 'GET') claim('HEAD', path, null);
    },
    find(verb: string, path: string): CallHandler | undefined {
      return routes.get(`${verb} ${path}`);
    },
  };
}

/**
 * Kuzzle's HTTP mapping: route placeholders and the query string become arguments; the body, read by the caller
 * (a GET has none), stays the body.
 */
function routeEnvelope(call: HttpCall, route: RegisteredRoute): Record<string, unknown> {
  // Null prototype: a `__proto__` query key stays an own property, which the funnel then refuses.
  const envelope = Object.create(null) as Record<string, unknown>;
  const { query, params } = call;
  for (const key in query) envelope[key] = query[key];
  for (const key in params) envelope[key] = params[key];
  const jwt = bearerToken(call);
  if (jwt) envelope.jwt = jwt;
  const volatile = header(call, 'x-kuzzle-volatile');
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
  envelope.requestId = requestIdOf(call);
  return envelope;
}

/**
 * A secret in a URL ends up in access logs (ours, a proxy's) and browser history, whatever the answer: any
 * query-string key naming a password (`password`, `currentPassword`...) is refused on every route, and so is a
 * token (`jwt`) unless the operator kept Kuzzle's `?jwt=`.
 */
function refuseSecretsInUrl(call: HttpCall, acceptTokenInQuery: boolean): void {
  for (const key in call.query) {
    const secret = key.toLowerCase().endsWith('password') || (key === 'jwt' && !acceptTokenInQuery);
    if (secret) throw tesseraError('network.http.secret_in_url', key);
  }
}

/** `Authorization: Bearer <token>`; other schemes are ignored, so the request is anonymous. */
function bearerToken(call: HttpCall): string | null {
  const authorization = header(call, 'authorization');
  return authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer '
    ? authorization.slice(7)
    : null;
}

/** A request header by its lower-case name; '' when absent. */
function header(call: HttpCall, name: string): string {
  const value = call.message.headers[name];
  return typeof value === 'string' ? value : '';
}

/** The client's `X-Kuzzle-Request-Id`, for the funnel to check like any envelope's; else the connection's id. */
function requestIdOf(call: HttpCall): string {
  return header(call, 'x-kuzzle-request-id') || call.connection.id;
}

/** The request id of an answer written outside the funnel: the client's only when it can be echoed as is. */
function safeRequestId(call: HttpCall): string {
  const requestId = requestIdOf(call);
  return isUsableRequestId(requestId) ? requestId : call.connection.id;
}

/**
 * An origin named in `allowOrigins` is answered with itself, plus `Access-Control-Allow-Credentials` when cookie
 * authentication is on; any other origin gets `*`, which browsers never combine with credentials, when the list
 * has `*`, and `api.process.unauthorized_origin` otherwise.
 */
function applyCors(call: HttpCall, { allowOrigins, allowCredentials }: HttpTransportOptions): void {
  const { response } = call;
  response.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
  response.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
  const origin = header(call, 'origin');
  if (!origin) return;
  response.setHeader('Vary', 'Origin');
  if (origin !== '*' && allowOrigins.includes(origin)) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    if (allowCredentials) response.setHeader('Access-Control-Allow-Credentials', 'true');
  } else if (allowOrigins.includes('*')) {
    response.setHeader('Access-Control-Allow-Origin', '*');
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
