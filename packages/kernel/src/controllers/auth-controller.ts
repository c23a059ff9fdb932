/**
 * The `auth` controller: logging in and out, the caller's own token, user, rights, credentials, API keys and
 * sessions. Tokens are issued here, by the kernel, once a strategy has named a kuid; strategies never see one.
 */
import type { JsonObject } from '@tessera/plugin-sdk';
import { isTesseraError, tesseraError } from '@tessera/plugin-sdk';
import { arg } from '../api/args';
import { defineAction, type ActionDefinition } from '../api/action-registry';
import type { Request } from '../api/request';
import { authCookie, authCookieOf, clearedAuthCookie, isSecureConnection } from '../security/auth-cookie';
import { ANONYMOUS_KUID } from '../security/model';
import type { SecurityServices } from '../security/security-services';
import { authenticate, claimedUsername, passportRequestOf } from '../security/strategies';
import { parseExpiresIn, type AuthToken } from '../security/tokens';

const strategyArg = { strategy: arg.string({ required: true }) };
const cookieAuthArg = { cookieAuth: arg.boolean() };

export function authController(services: SecurityServices): Record<string, ActionDefinition> {
  const { tokens, strategies, credentials, accounts, throttle, bus, tokenLinks } = services;

  /** On a realtime connection, the new token becomes the connection's: subscriptions stay, its expiry is heard. */
  const adopt = (request: Request, token: AuthToken): AuthToken => {
    if (request.connection.protocol === 'websocket') tokenLinks.link(request.connection.id, token);
    return token;
  };

  /** The caller's kuid and token; anonymous callers get `security.rights.unauthorized`. */
  const caller = (request: Request): { kuid: string; token: AuthToken } => {
    const { token } = request;
    if (!token)
      throw tesseraError('security.rights.unauthorized', request.input.controller, request.input.action);
    return { kuid: token.kuid, token };
  };

  /** `cookieAuth` asks for the token in the HttpOnly `authToken` cookie: only over HTTP, and only when enabled. */
  const usesCookie = (request: Request, cookieAuth: boolean | undefined): boolean => {
    if (!cookieAuth) return false;
    if (!services.config.cookieAuthentication) throw tesseraError('security.cookie.unsupported');
    if (request.connection.protocol !== 'http')
      throw tesseraError(
        'api.assert.invalid_argument',
        'cookieAuth',
        'an HTTP request (a browser keeps the cookie)',
      );
    return true;
  };

  /** The login answer: the token in the result, or in the cookie, then with no `jwt` in the result. */
  const deliver = (request: Request, token: AuthToken, cookie: boolean) => {
    if (!cookie) return loginResult(token);
    const secure = isSecureConnection(request.connection);
    request.headers['set-cookie'] = authCookie(token.jwt, token.expiresAt, secure);
    const { jwt: _hidden, ...result } = loginResult(token);
    return result;
  };

  const origin = (request: Request) => ({
    connectionId: request.connection.id,
    ip: request.connection.address ?? undefined,
  });

  return {
    login: defineAction({
      args: { ...strategyArg, expiresIn: arg.duration(), ...cookieAuthArg },
      http: [
        { verb: 'POST', path: '/_login/:strategy' },
        { verb: 'GET', path: '/_login/:strategy' },
      ],
      errors: [
        'security.credentials.unknown_strategy',
        'plugin.strategy.missing_user',
        'plugin.strategy.unknown_kuid',
        'api.process.too_many_logins_requests',
        'security.user.locked',
        'security.token.invalid_expiration',
      ],
      handler: async (request, { strategy: name, expiresIn, cookieAuth }) => {
        const strategy = strategies.get(name);
        const cookieRequested = usesCookie(request, cookieAuth);
        // The throttle counts the username read from the very request the strategy authenticates.
        const attempt = passportRequestOf(strategy, request);
        const username = claimedUsername(strategy, attempt);
        try {
          await throttle.admit(request.connection.address ?? 'unknown', username);
        } catch (error) {
          const retryAfter = isTesseraError(error) ? error.details?.retryAfter : undefined;
          if (typeof retryAfter === 'number') request.headers['retry-after'] = String(retryAfter);
          throw error;
        }
        const outcome = await authenticate(strategy, attempt);
        if (outcome.kind === 'redirect') {
          request.status = outcome.status;
          request.headers.location = outcome.url;
          return { headers: { Location: outcome.url }, statusCode: outcome.status };
        }
        if (outcome.kind === 'failed') {
          await throttle.failed(username);
          bus.emit('auth:loginFailed', { strategy: name, reason: outcome.message, ...origin(request) });
          throw tesseraError('plugin.strategy.missing_user', outcome.message);
        }
        if (!(await accounts.users.find(outcome.kuid)))
          throw tesseraError('plugin.strategy.unknown_kuid', name);
        try {
          // Pipes may refuse (a second factor); what they change in the payload is ignored.
          await bus.pipeline('auth:strategyAuthenticated', { strategy: name, kuid: outcome.kuid, request });
        } catch (error) {
          await throttle.failed(username);
          const reason = isTesseraError(error)
            ? error.message
            : 'refused by an auth:strategyAuthenticated pipe';
          bus.emit('auth:loginFailed', { strategy: name, reason, ...origin(request) });
          throw error;
        }
        // A browser flow's last step (an OAuth callback) always answers with the cookie.
        const cookie = outcome.redirectTo === undefined ? cookieRequested : usesCookie(request, true);
        const token = adopt(request, await tokens.issue(outcome.kuid, { expiresIn }));
        await throttle.succeeded(username);
        bus.emit('auth:login', {
          kuid: token.kuid,
          strategy: name,
          sessionId: token.sessionId,
          ...origin(request),
        });
        const result = deliver(request, token, cookie);
        if (outcome.redirectTo === undefined) return result;
        request.status = 302;
        request.headers.location = outcome.redirectTo;
        return { ...result, headers: { Location: outcome.redirectTo }, statusCode: 302 };
      },
    }),

    logout: defineAction({
      args: { global: arg.boolean(), ...cookieAuthArg },
      http: [{ verb: 'POST', path: '/_logout' }],
      handler: async (request, { global = false, cookieAuth }) => {
        if (usesCookie(request, cookieAuth)) {
          request.headers['set-cookie'] = clearedAuthCookie(isSecureConnection(request.connection));
          // A stale cookie has nothing left to revoke: dropping it is the whole logout.
          if (!request.token) return { acknowledged: true };
        }
        const { kuid, token } = caller(request);
        // As Kuzzle: the connection logging out is unlinked first, so only the others hear the revocation.
        tokenLinks.unlink(request.connection.id);
        if (global) await tokens.revokeAll(kuid, 'global-logout', { author: kuid });
        else await tokens.revoke(token, 'logout', kuid);
        bus.emit('auth:logout', { kuid, sessionId: token.sessionId, global, ...origin(request) });
        return { acknowledged: true };
      },
    }),

    checkToken: defineAction({
      args: cookieAuthArg,
      http: [{ verb: 'POST', path: '/_checkToken' }],
      handler: async (request, { cookieAuth }) => {
        const token =
          request.input.body?.token ??
          (usesCookie(request, cookieAuth) ? authCookieOf(request.connection) : undefined);
        // No token is the anonymous user's (what kuzzle-sdk sends on every connect), never an error.
        if (token === undefined || token === null || token === '') {
          return { valid: true, kuid: ANONYMOUS_KUID, expiresAt: null };
        }
        if (typeof token !== 'string') throw tesseraError('api.assert.invalid_type', 'body.token', 'string');
        try {
          const verified = await tokens.verify(token, { inspect: true });
          return { valid: true, kuid: verified.kuid, expiresAt: verified.expiresAt };
        } catch (error) {
          if (isTesseraError(error) && error.status === 401) return { valid: false, state: error.message };
          throw error;
        }
      },
    }),

    refreshToken: defineAction({
      args: { expiresIn: arg.duration(), strategy: arg.string(), ...cookieAuthArg },
      http: [{ verb: 'POST', path: '/_refreshToken' }],
      handler: async (request, { expiresIn, strategy: name, cookieAuth }) => {
        const cookie = usesCookie(request, cookieAuth);
        const { token } = caller(request);
        let lifetime: unknown = expiresIn;
        if (name !== undefined && name !== 'local') {
          const { methods } = strategies.get(name);
          const answer = methods.refreshToken ? await methods.refreshToken(request).catch(() => null) : null;
          if (!answer && answer !== undefined)
            throw tesseraError('security.token.refresh_forbidden', 'Token');
          lifetime = answer?.expiresIn ?? lifetime;
        }
        return deliver(request, adopt(request, await tokens.refresh(token, { expiresIn: lifetime })), cookie);
      },
    }),

    createToken: defineAction({
      args: { expiresIn: arg.duration(), singleUse: arg.boolean() },
      http: [{ verb: 'POST', path: '/_createToken' }],
      handler: async (request, { expiresIn, singleUse = false }) => {
        const { kuid } = caller(request);
        if (parseExpiresIn(expiresIn, 0) === -1) {
          throw tesseraError('security.token.invalid_expiration', String(expiresIn));
        }
        const token = await tokens.issue(kuid, { expiresIn, singleUse });
        return { token: token.jwt, ttl: token.ttl, expiresAt: token.expiresAt, singleUse };
      },
    }),

    getCurrentUser: defineAction({
      http: [{ verb: 'GET', path: '/_me' }],
      httpAliases: [{ verb: 'GET', path: '/users/_me', deprecated: true }],
      handler: async (request) => {
        const kuid = request.user?._id ?? ANONYMOUS_KUID;
        const user = await accounts.users.get(kuid);
        const held = kuid === ANONYMOUS_KUID ? [] : await credentials.strategiesOf(request, kuid);
        return { ...user, strategies: held };
      },
    }),

    updateSelf: defineAction({
      body: 'required',
      http: [{ verb: 'PUT', path: '/_me' }],
      httpAliases: [{ verb: 'PUT', path: '/_updateSelf', deprecated: true }],
      handler: async (request) => {
        const { kuid } = caller(request);
        const body = request.input.body as JsonObject;
        for (const field of ['_id', 'profileIds']) {
          if (field in body) throw tesseraError('api.assert.forbidden_argument', `body.${field}`);
        }
        return accounts.users.update(kuid, body, kuid);
      },
    }),

    getMyRights: defineAction({
      http: [{ verb: 'GET', path: '/_me/_rights' }],
      httpAliases: [{ verb: 'GET', path: '/users/_me/_rights', deprecated: true }],
      handler: async (request) => {
        const hits = (await accounts.rightsFor(request.user ?? { profileIds: ['anonymous'] })).rights();
        return { hits, total: hits.length };
      },
    }),

    checkRights: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/_checkRights' }],
      handler: async (request) => {
        const target = actionTarget(request.input.body as JsonObject);
        const rights = await accounts.rightsFor(request.user ?? { profileIds: ['anonymous'] });
        return { allowed: rights.isActionAllowed(target) };
      },
    }),

    getStrategies: defineAction({
      http: [{ verb: 'GET', path: '/strategies' }],
      handler: () => strategies.names(),
    }),

    getMyCredentials: defineAction({
      args: strategyArg,
      http: [{ verb: 'GET', path: '/_me/credentials/:strategy' }],
      httpAliases: [{ verb: 'GET', path: '/credentials/:strategy/_me', deprecated: true }],
      handler: (request, { strategy }) => credentials.info(request, strategy, caller(request).kuid),
    }),

    createMyCredentials: defineAction({
      args: strategyArg,
      body: 'required',
      http: [{ verb: 'POST', path: '/_me/credentials/:strategy/_create' }],
      httpAliases: [{ verb: 'POST', path: '/credentials/:strategy/_me/_create', deprecated: true }],
      handler: (request, { strategy }) =>
        credentials.createOwn(request, strategy, caller(request).kuid, request.input.body as JsonObject),
    }),

    updateMyCredentials: defineAction({
      args: strategyArg,
      body: 'required',
      http: [{ verb: 'PUT', path: '/_me/credentials/:strategy/_update' }],
      httpAliases: [{ verb: 'PUT', path: '/credentials/:strategy/_me/_update', deprecated: true }],
      handler: (request, { strategy }) =>
        credentials.updateOwn(request, strategy, caller(request).kuid, request.input.body as JsonObject),
    }),

    deleteMyCredentials: defineAction({
      args: strategyArg,
      http: [{ verb: 'DELETE', path: '/_me/credentials/:strategy' }],
      httpAliases: [{ verb: 'DELETE', path: '/credentials/:strategy/_me', deprecated: true }],
      handler: async (request, { strategy }) => {
        await credentials.delete(request, strategy, caller(request).kuid);
        return { acknowledged: true };
      },
    }),

    credentialsExist: defineAction({
      args: strategyArg,
      http: [{ verb: 'GET', path: '/_me/credentials/:strategy/_exists' }],
      httpAliases: [{ verb: 'GET', path: '/credentials/:strategy/_me/_exists', deprecated: true }],
      handler: (request, { strategy }) => credentials.exists(request, strategy, caller(request).kuid),
    }),

    validateMyCredentials: defineAction({
      args: strategyArg,
      body: 'required',
      http: [{ verb: 'POST', path: '/_me/credentials/:strategy/_validate' }],
      httpAliases: [{ verb: 'POST', path: '/credentials/:strategy/_me/_validate', deprecated: true }],
      handler: (request, { strategy }) =>
        credentials.validate(request, strategy, caller(request).kuid, request.input.body as JsonObject),
    }),

    createApiKey: defineAction({
      args: { expiresIn: arg.duration(), _id: arg.string() },
      body: 'required',
      http: [{ verb: 'POST', path: '/api-keys/_create' }],
      handler: (request, { expiresIn, _id }) => {
        const { kuid } = caller(request);
        return tokens.createApiKey(kuid, {
          description: request.input.body?.description,
          expiresIn,
          id: _id,
        });
      },
    }),

    searchApiKeys: defineAction({
      args: { from: arg.integer(), size: arg.integer(), lang: arg.string() },
      http: [{ verb: 'POST', path: '/api-keys/_search' }],
      handler: (request, { from, size, lang }) =>
        tokens.searchApiKeys(caller(request).kuid, request.input.body ?? {}, {
          from,
          size,
          lang: searchLang(lang),
        }),
    }),

    deleteApiKey: defineAction({
      args: { _id: arg.string({ required: true }) },
      http: [{ verb: 'DELETE', path: '/api-keys/:_id' }],
      handler: async (request, { _id }) => {
        const { kuid } = caller(request);
        await tokens.deleteApiKey(kuid, _id, kuid);
        return { _id };
      },
    }),

    listMySessions: defineAction({
      http: [{ verb: 'GET', path: '/_me/sessions' }],
      handler: async (request) => {
        const { kuid, token } = caller(request);
        const hits = (await tokens.sessions(kuid)).map((session) => ({
          ...session,
          current: session.sessionId === token.sessionId,
        }));
        return { hits, total: hits.length };
      },
    }),

    revokeMySession: defineAction({
      args: { sessionId: arg.string({ required: true }) },
      http: [{ verb: 'DELETE', path: '/_me/sessions/:sessionId' }],
      handler: async (request, { sessionId }) => {
        const { kuid } = caller(request);
        if (!(await tokens.revokeSession(kuid, sessionId, kuid))) {
          throw tesseraError('security.session.not_found', sessionId);
        }
        return { acknowledged: true };
      },
    }),
  };
}

function loginResult(token: AuthToken) {
  return { _id: token.kuid, jwt: token.jwt, expiresAt: token.expiresAt, ttl: token.ttl };
}

/** The request payload auth:checkRights and security:checkRights evaluate. */
export function actionTarget(body: JsonObject) {
  for (const field of ['controller', 'action'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      throw tesseraError('api.assert.missing_argument', `body.${field}`);
    }
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    controller: body.controller as string,
    action: body.action as string,
    index: text(body.index),
    collection: text(body.collection),
  };
}

export function searchLang(lang: string | undefined): 'elasticsearch' | 'koncorde' | undefined {
  if (lang === undefined || lang === 'elasticsearch' || lang === 'koncorde') return lang;
  throw tesseraError('api.assert.invalid_argument', 'lang', '"elasticsearch" or "koncorde"');
}
