/**
 * Cookie authentication (Kuzzle's `cookieAuth`): over HTTP, a browser may hold its token in the HttpOnly
 * `authToken` cookie, out of reach of the page's scripts, instead of sending it as a Bearer header. This module
 * reads that cookie from a request and writes the `Set-Cookie` values; which actions use it is the auth
 * controller's and the authorizer's business.
 *
 * The cookie is `SameSite=Strict`, so a browser never sends it with a request another site started.
 * WebSocket connections never read it: a socket opened by another site would otherwise carry it.
 */
import type { ConnectionInfo } from '@tessera/plugin-sdk';
import { parseCookies, serializeCookie } from '@tessera/plugin-sdk';

export const AUTH_COOKIE = 'authToken';

/**
 * The request's `authToken` cookie, or null (no cookie, Kuzzle's cleared value "null", or not over HTTP). The
 * header is read as Kuzzle reads it (`cookie.parse`), so another cookie, however malformed, is never an error.
 */
export function authCookieOf(connection: ConnectionInfo): string | null {
  if (connection.protocol !== 'http') return null;
  const value = parseCookies(connection.headers.cookie)[AUTH_COOKIE];
  return value === undefined || value === '' || value === 'null' ? null : value;
}

/** The `Set-Cookie` value that hands a token to the browser; it expires with the token. */
export function authCookie(jwt: string, expiresAt: number, secure: boolean): string {
  return serializeCookie(AUTH_COOKIE, jwt, {
    ...cookieScope(secure),
    ...(expiresAt > 0 ? { expires: new Date(expiresAt) } : {}),
  });
}

/** The `Set-Cookie` value that makes the browser drop its token. */
export function clearedAuthCookie(secure: boolean): string {
  return serializeCookie(AUTH_COOKIE, 'null', { ...cookieScope(secure), expires: new Date(0) });
}

function cookieScope(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure } as const;
}

/** True when a TLS-terminating proxy says the browser spoke HTTPS: the cookie is then marked `Secure`. */
export function isSecureConnection(connection: ConnectionInfo): boolean {
  return connection.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'https';
}
