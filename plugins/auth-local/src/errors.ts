/**
 * The errors only this plugin raises, `plugin.auth-local.<name>` under its own subdomain 0x90, with Kuzzle's
 * local plugin's status and wording (reference §7.4, §7.5). The kernel registers them at boot.
 */
import { definePluginErrors, type TesseraError } from '@tessera/plugin-sdk';

export const authLocalErrors = definePluginErrors('auth-local', 0x90, {
  kuid_in_credentials: { code: 0x01, status: 400, message: 'kuid cannot be specified in credentials.' },
  username_required: { code: 0x02, status: 400, message: 'Username required.' },
  password_required: { code: 0x03, status: 400, message: 'Password required.' },
  password_needed: { code: 0x04, status: 400, message: 'Password needed.' },
  missing_username_or_password: { code: 0x05, status: 400, message: 'Missing username or password.' },
  not_a_string: { code: 0x06, status: 400, message: '"%s" must be a string.' },
  password_too_long: { code: 0x07, status: 400, message: 'Password cannot be longer than %s bytes (UTF-8).' },
  login_in_password: { code: 0x08, status: 400, message: 'Password cannot contain Username' },
  weak_password: { code: 0x09, status: 400, message: 'Password is too weak' },
  reused_password: { code: 0x0a, status: 400, message: 'Cannot reuse password' },
  current_password_required: {
    code: 0x0b,
    status: 400,
    message: 'Cannot update credentials: password required.',
  },
  invalid_current_password: { code: 0x0c, status: 403, message: 'Invalid user or password.' },
  login_already_used: { code: 0x0d, status: 412, message: 'Login "%s" is already used.' },
  credentials_exist: { code: 0x0e, status: 412, message: 'A strategy already exists for user "%s".' },
  credentials_not_found: { code: 0x0f, status: 412, message: 'No credentials found for user "%s".' },
  username_not_found: { code: 0x10, status: 412, message: 'No credentials found for username "%s".' },
  forbidden_search_field: {
    code: 0x11,
    status: 403,
    message: 'Forbidden field "%s". Only "username" and "kuid" can be searched.',
  },
  forbidden_search_keyword: { code: 0x12, status: 400, message: 'Forbidden keyword "%s".' },
  expired_password: { code: 0x13, status: 401, message: 'Expired password' },
  must_change_password: { code: 0x14, status: 401, message: 'Password change required' },
  missing_kuid: { code: 0x15, status: 400, message: 'Missing kuid' },
  invalid_kuid: { code: 0x16, status: 400, message: 'Invalid kuid given' },
  missing_body: { code: 0x17, status: 400, message: 'Missing request body' },
  missing_password_attribute: { code: 0x18, status: 400, message: 'Missing "password" attribute' },
  invalid_password_supplied: {
    code: 0x19,
    status: 400,
    message: 'Invalid password supplied. Must be a non-empty string',
  },
  missing_token_attribute: { code: 0x1a, status: 400, message: 'Missing "token" attribute' },
  invalid_token_supplied: { code: 0x1b, status: 400, message: 'Invalid token supplied' },
  invalid_token: { code: 0x1c, status: 400, message: 'Invalid token' },
  expired_token: { code: 0x1d, status: 401, message: 'Expired token' },
});

export type AuthLocalErrorName = keyof typeof authLocalErrors.specs;

export function authLocalError(
  name: AuthLocalErrorName,
  props: readonly (string | number)[] = [],
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): TesseraError {
  return authLocalErrors.wrap(name, props, options);
}
