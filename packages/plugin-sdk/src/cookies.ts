/**
 * Cookies, read and written one way by the kernel and every plugin: with the `cookie` package, the parser
 * Kuzzle itself uses, behind two thin functions so that a plugin needs nothing but this SDK.
 */
import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie';

/** `Set-Cookie` attributes: `path`, `expires`, `maxAge`, `httpOnly`, `secure`, `sameSite`... */
export type CookieAttributes = Omit<SerializeOptions, 'encode'>;

/**
 * The cookies of a `Cookie` header, as `cookie.parse` reads it: a part without `=` (an echoed `HttpOnly`) is
 * skipped, the first of two cookies with one name wins, and a value that does not percent-decode is kept as
 * sent. It never throws: no header makes the other cookies unreadable. The object inherits nothing.
 */
export function parseCookies(header: string | undefined): Readonly<Record<string, string | undefined>> {
  return parseCookie(header ?? '');
}

/** A `Set-Cookie` value; the value is percent-encoded. A TypeError for a name or attribute a browser would misread. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  return stringifySetCookie(name, value, attributes);
}
