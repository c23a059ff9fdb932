/**
 * The funnel's authorize step: token -> user -> rights -> the user's request budget (Kuzzle's order). A request
 * without a token is the anonymous user's.
 * Rights are evaluated on every request from the accounts' cache, so a role change applies at once.
 */
import { isTesseraError, tesseraError } from '@tessera/plugin-sdk';
import type { RequestAuthorizer } from '../api/funnel';
import type { Request } from '../api/request';
import type { SecurityRepository } from './accounts';
import { authCookieOf, checkCookieOrigin } from './auth-cookie';
import { ANONYMOUS_KUID } from './model';
import type { RequestRateLimiter } from './request-rate-limiter';
import type { TokenManager } from './tokens';

/** Actions outside the per-user request budget: logins have their own throttle, and a logout must always pass. */
const UNLIMITED = new Set(['auth:login', 'auth:logout']);
/**
 * With `cookieAuth`, these run even when the cookie's token is no longer valid (Kuzzle's rule): a browser with a
 * stale cookie must still be able to log in again, ask whether its cookie is valid, or drop it.
 */
const STALE_COOKIE_TOLERANT = new Set(['auth:login', 'auth:checkToken', 'auth:logout']);

/** Cookie authentication: whether it is on, and which other origins' pages may use the cookie. */
export interface CookiePolicy {
  readonly enabled: boolean;
  /** `server.cors.allowOrigin`: the origins it names (not `*`) may use the cookie, besides the server's own. */
  readonly allowOrigins: readonly string[];
}

export function createTokenAuthorizer(
  tokens: TokenManager,
  accounts: SecurityRepository,
  limiter: RequestRateLimiter,
  cookies: CookiePolicy,
): RequestAuthorizer {
  const verify = async (request: Request) => {
    const { jwt, controller, action, args } = request.input;
    // Off, the `authToken` cookie is not this server's (another app on the host may set one): it is ignored
    // (Kuzzle answers every such request with security.cookie.unsupported, which locks the browser out).
    const cookie = cookies.enabled ? authCookieOf(request.connection) : null;
    // Reading the cookie, or asking for it (a login, a refresh), from a page of a foreign origin is refused.
    const asksForCookie = args.cookieAuth !== undefined && args.cookieAuth !== false;
    if (cookie !== null || (asksForCookie && request.connection.protocol === 'http'))
      checkCookieOrigin(request.connection, cookies.allowOrigins);
    if (cookie === null) return jwt === null ? null : tokens.verify(jwt);
    if (jwt !== null) throw tesseraError('security.token.ambiguous');
    try {
      return await tokens.verify(cookie);
    } catch (error) {
      const tolerated =
        args.cookieAuth !== undefined &&
        STALE_COOKIE_TOLERANT.has(`${controller}:${action}`) &&
        isTesseraError(error) &&
        error.status === 401;
      if (tolerated) return null;
      throw error;
    }
  };

  return {
    async authorize(request: Request) {
      const { controller, action, args } = request.input;
      const token = await verify(request);
      const kuid = token?.kuid ?? ANONYMOUS_KUID;
      // A cached user and rights are answered at once: most requests find both, and need no await for them.
      const user = accounts.users.cached(kuid) ?? (await accounts.users.find(kuid));
      if (!user) throw tesseraError('security.user.not_found', kuid);
      request.token = token;
      request.user = { _id: user._id, profileIds: user._source.profileIds };
      const rights = accounts.keptRights(request.user.profileIds) ?? (await accounts.rightsFor(request.user));
      const allowed = rights.isActionAllowed({
        controller,
        action,
        index: typeof args.index === 'string' ? args.index : null,
        collection: typeof args.collection === 'string' ? args.collection : null,
      });
      if (!allowed) {
        throw kuid === ANONYMOUS_KUID
          ? tesseraError('security.rights.unauthorized', controller, action)
          : tesseraError('security.rights.forbidden', controller, action, kuid);
      }
      // An unlimited profile (rate limit 0) has no budget to count.
      if (rights.rateLimit > 0 && !UNLIMITED.has(`${controller}:${action}`))
        await limiter.consume(kuid, rights.rateLimit);
    },
  };
}
