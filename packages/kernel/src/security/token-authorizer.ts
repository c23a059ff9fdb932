/**
 * The funnel's authorize step: token -> user -> rights -> the user's request budget (Kuzzle's order). A request
 * without a token is the anonymous user's.
 * Rights are evaluated on every request from the accounts' cache, so a role change applies at once.
 */
import { tesseraError } from '@tessera/plugin-sdk';
import type { RequestAuthorizer } from '../api/funnel';
import type { Request } from '../api/request';
import type { SecurityRepository } from './accounts';
import { ANONYMOUS_KUID } from './model';
import type { RequestRateLimiter } from './request-rate-limiter';
import type { TokenManager } from './tokens';

/** Actions outside the per-user request budget: logins have their own throttle, and a logout must always pass. */
const UNLIMITED = new Set(['auth:login', 'auth:logout']);

export function createTokenAuthorizer(
  tokens: TokenManager,
  accounts: SecurityRepository,
  limiter: RequestRateLimiter,
): RequestAuthorizer {
  return {
    async authorize(request: Request) {
      const { jwt, controller, action, args } = request.input;
      const token = jwt === null ? null : await tokens.verify(jwt);
      const kuid = token?.kuid ?? ANONYMOUS_KUID;
      const user = await accounts.users.find(kuid);
      if (!user) throw tesseraError('security.user.not_found', kuid);
      request.token = token;
      request.user = { _id: user._id, profileIds: user._source.profileIds };
      const rights = await accounts.rightsFor(request.user);
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
      if (!UNLIMITED.has(`${controller}:${action}`)) limiter.consume(kuid, rights.rateLimit);
    },
  };
}
