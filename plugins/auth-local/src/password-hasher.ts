/**
 * Password hashing. bcrypt does the work; the PasswordHasher interface is what the plugin calls, so a caller
 * (a test, a benchmark) can observe how much hashing work each operation does without replacing bcrypt.
 */
import bcrypt from 'bcrypt';

export interface PasswordHasher {
  hash(password: string, cost: number): Promise<string>;
  /** Constant-time with respect to the password: bcrypt compares its own digests. */
  compare(password: string, hash: string): Promise<boolean>;
}

export const bcryptHasher: PasswordHasher = Object.freeze({
  hash: (password: string, cost: number) => bcrypt.hash(password, cost),
  compare: (password: string, hash: string) => bcrypt.compare(password, hash),
});

/** bcrypt reads 72 bytes and silently ignores the rest: longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

export function exceedsBcryptLimit(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}
