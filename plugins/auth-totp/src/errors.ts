/**
 * The errors only this plugin raises. They live in the catalog under `plugin.auth-totp.*` (subdomain 0x92);
 * this module only names them.
 */
import { TesseraError, type ErrorId } from '@tessera/plugin-sdk';

const PREFIX = 'plugin.auth-totp.';

/** `code_required` for the catalog's `plugin.auth-totp.code_required`, and so on for each of them. */
export type AuthTotpErrorName = {
  [Id in ErrorId]: Id extends `${typeof PREFIX}${infer Name}` ? Name : never;
}[ErrorId];

export function authTotpError(
  name: AuthTotpErrorName,
  props: readonly (string | number)[] = [],
): TesseraError {
  return new TesseraError(`${PREFIX}${name}`, props);
}
