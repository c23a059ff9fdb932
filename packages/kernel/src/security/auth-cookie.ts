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
import { tesseraError } from '@tessera/plugin-sdk';

export const AUTH_COOKIE = 'authToken';

/** The request's `authToken` cookie, or null (no cookie, Kuzzle's cleared value "null", or not over HTTP). */
export function authCookieOf(connection: ConnectionInfo): string | null {
  const header = connection.protocol === 'http' ? connection.headers.cookie : undefined;
  if (header === undefined || header.trim() === '') return null;
  const value = parseCookieHeader(header).get(AUTH_COOKIE);
  return value === undefined || value === '' || value === 'null' ? null : value;
}

/** `name=value` pairs separated by `;` (RFC 6265 §4.2.1); an unreadable header is `security.cookie.invalid`. */
export function parseCookieHeader(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of header.split(';')) {
    if (pair.trim() === '') continue;
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    if (separator < 1 || name === '') throw tesseraError('security.cookie.invalid');
    let value = pair.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      throw tesseraError('security.cookie.invalid');
    }
    // The first occurrence wins, as browsers send the most specific path first.
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The `Set-Cookie` value that hands a token to the browser; it expires with the token. */
export function authCookie(jwt: string, expiresAt: number, secure: boolean): string {
  const expires = expiresAt > 0 ? `; Expires=${new Date(expiresAt).toUTCString()}` : '';
  return `${AUTH_COOKIE}=${jwt}; Path=/${expires}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that makes the browser drop its token. */
export function clearedAuthCookie(secure: boolean): string {
  return `${AUTH_COOKIE}=null; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** True when a TLS-terminating proxy says the browser spoke HTTPS: the cookie is then marked `Secure`. */
export function isSecureConnection(connection: ConnectionInfo): boolean {
  return connection.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'https';
}
