/**
 * The errors only this plugin raises. They live in the catalog under `plugin.auth-local.*` (subdomain 0x90),
 * with Kuzzle's local plugin's status and wording (reference §7.4, §7.5); this module only names them.
 */
import { TesseraError, type ErrorId } from '@tessera/plugin-sdk';

const PREFIX = 'plugin.auth-local.';

/** `weak_password` for the catalog's `plugin.auth-local.weak_password`, and so on for each of them. */
export type AuthLocalErrorName = {
  [Id in ErrorId]: Id extends `${typeof PREFIX}${infer Name}` ? Name : never;
}[ErrorId];

type AuthLocalErrorId = `${typeof PREFIX}${AuthLocalErrorName}`;

export function authLocalError(
  name: AuthLocalErrorName,
  props: readonly (string | number)[] = [],
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): TesseraError {
  return new TesseraError(authLocalErrorId(name), props, options);
}

function authLocalErrorId(name: AuthLocalErrorName): AuthLocalErrorId {
  return `${PREFIX}${name}`;
}
