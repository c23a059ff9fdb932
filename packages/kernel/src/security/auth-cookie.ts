/**
 * Cookie authentication (Kuzzle's `cookieAuth`): over HTTP, a browser may hold its token in the HttpOnly
 * `authToken` cookie, out of reach of the page's scripts, instead of sending it as a Bearer header. This module
 * reads that cookie from a request and writes the `Set-Cookie` values; which actions use it is the auth
 * controller's and the authorizer's business.
 *
 * The cookie is `SameSite=Strict`, so a browser never sends it with a request another site started; and a
 * request that uses it from a page of another origin of the same site (a sibling subdomain, another port) is
 * refused by its Origin (`checkCookieOrigin`). WebSocket connections never read it: a socket opened by another
 * site would otherwise carry it.
 */
import type { ConnectionInfo } from '@tessera/plugin-sdk';
import { parseCookies, serializeCookie, tesseraError } from '@tessera/plugin-sdk';

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

/**
 * Refuses (`api.process.unauthorized_origin`) a request that uses the cookie from a browser page whose Origin is
 * neither this server's own (the Origin's host is the Host the request was sent to) nor one named in
 * `allowOrigins` (`*` names none). A request without Origin comes from a client that is not a page of another
 * origin: a browser sends Origin with every cross-origin request, and with every same-origin one but GET/HEAD.
 */
export function checkCookieOrigin(connection: ConnectionInfo, allowOrigins: readonly string[]): void {
  const origin = connection.headers.origin;
  if (origin === undefined) return;
  if (origin !== '*' && allowOrigins.includes(origin)) return;
  if (isOwnOrigin(origin, connection)) return;
  throw tesseraError('api.process.unauthorized_origin', origin);
}

/** A host and optional port (a name, IPv4 or bracketed IPv6): nothing a URL parser would read as more. */
const HOST = /^[a-z0-9.\-_]+(:\d+)?$|^\[[a-f0-9:.]+\](:\d+)?$/i;

/** Behind a trusted proxy that rewrites Host, `X-Forwarded-Host` is the host the browser spoke to. */
function isOwnOrigin(origin: string, connection: ConnectionInfo): boolean {
  const host = (connection.headers['x-forwarded-host'] ?? connection.headers.host)?.split(',')[0]?.trim();
  if (!host || !HOST.test(host) || !URL.canParse(origin)) return false;
  const { protocol, host: originHost } = new URL(origin);
  // Parsed with the Origin's scheme, so that a default port is dropped from both sides alike.
  return URL.canParse(`${protocol}//${host}`) && new URL(`${protocol}//${host}`).host === originHost;
}
