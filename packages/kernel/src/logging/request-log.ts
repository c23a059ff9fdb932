/** Request-scoped logging: every line about a request names it and who made it. */
import type { ApiRequest, Logger } from '@tessera/plugin-sdk';

/** A child of `log` whose lines carry the request's id and the caller's kuid (null before the token is read). */
export function requestLog(log: Logger, request: Pick<ApiRequest, 'id' | 'user'>): Logger {
  return log.child({ requestId: request.id, kuid: request.user?._id ?? null });
}
