/**
 * A login attempt as a strategy sees it: the PassportRequest the kernel hands to passport, and the username that
 * request claims. The login throttle and lockout key on `claimedUsername`, read from the very object the
 * strategy authenticates, the same way passport-local reads it: so a username cannot be authenticated from one
 * place (a WebSocket frame's top level, a query string) while the throttle counts another.
 */
import type { ApiRequest, PassportRequest } from '@tessera/plugin-sdk';
import type { RegisteredStrategy } from './strategy-registry';

export function passportRequestOf(strategy: RegisteredStrategy, request: ApiRequest): PassportRequest {
  return {
    original: request,
    body: request.input.body ?? {},
    // Kuzzle's mapping: a WebSocket frame's top-level arguments, or the route's placeholders and query string.
    query: request.input.args,
    headers: request.connection.headers,
    method: 'POST',
    url: `/login?strategy=${encodeURIComponent(strategy.name)}`,
  };
}

/**
 * The strategy's username field (`usernameField`, passport-local's option, else `username`), looked up as
 * passport-local does: the body's value unless it is empty, else the query's. Null when neither names anyone.
 */
export function claimedUsername(strategy: RegisteredStrategy, attempt: PassportRequest): string | null {
  // `||`, not `??`: passport-local falls back to the query on any falsy value ("", 0, false).
  const value = lookup(attempt.body, strategy.usernameField) || lookup(attempt.query, strategy.usernameField);
  // A number is what a strategy that coerces it would authenticate; other values name nobody.
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** passport-local's `lookup`: the field's value unless it is an object; `user[name]` names a nested field. */
function lookup(source: unknown, field: string): unknown {
  let current = source;
  for (const key of field.split(']').join('').split('[')) {
    if (typeof current !== 'object' || current === null) return null;
    const value = (current as Record<string, unknown>)[key];
    if (value === undefined) return null;
    if (typeof value !== 'object') return value;
    current = value;
  }
  return null;
}
