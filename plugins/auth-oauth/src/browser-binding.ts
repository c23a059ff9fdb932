/**
 * Binds a login attempt to the browser that started it, against login CSRF: an attacker who starts a login,
 * signs in at the provider as themselves and sends their callback URL to a victim would otherwise log the
 * victim into the attacker's account. The start answer sets a random value in an HttpOnly cookie scoped to the
 * callback path; the state keeps only its hash; the callback must bring the cookie back. `SameSite=Lax`, so the
 * browser sends it on the provider's top-level redirect back to us.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookies, serializeCookie } from '@tessera/plugin-sdk';

export interface BrowserBinding {
  /** The `Set-Cookie` value for the start answer. */
  readonly cookie: string;
  /** What the state keeps: the SHA-256 of the cookie's value. */
  readonly hash: string;
}

export function bindingCookieName(strategy: string): string {
  return `tessera-oauth-${strategy}`;
}

export function createBinding(strategy: string, callbackURL: string, ttlMs: number): BrowserBinding {
  const value = randomBytes(24).toString('base64url');
  const { pathname, protocol } = new URL(callbackURL);
  const cookie = serializeCookie(bindingCookieName(strategy), value, {
    path: pathname,
    maxAge: Math.ceil(ttlMs / 1000),
    httpOnly: true,
    sameSite: 'lax',
    secure: protocol === 'https:',
  });
  return { cookie, hash: hashOf(value) };
}

/** True when the request's `Cookie` header carries the value whose hash the state kept. */
export function presentsBinding(cookieHeader: string | undefined, strategy: string, hash: string): boolean {
  const value = parseCookies(cookieHeader)[bindingCookieName(strategy)];
  if (value === undefined) return false;
  return timingSafeEqual(Buffer.from(hashOf(value), 'hex'), Buffer.from(hash, 'hex'));
}

function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
