/**
 * The errors only this plugin raises, with Kuzzle's local plugin's wording (reference §7.4, §7.5). They are
 * meant to become catalog entries `plugin.auth-local.<name>` with the status and message below. Until the
 * catalog has them, `authLocalError` answers with the closest catalog error, the wording kept in its `%s`:
 * 400 and 403 refusals as `security.credentials.rejected` (400), 401 ones as `plugin.strategy.missing_user`,
 * and the two 412 conflicts as `security.user.already_exists` (412). This file is the one place to change.
 */
import { TesseraError, type ErrorId } from '@tessera/plugin-sdk';

interface AuthLocalErrorSpec {
  readonly status: 400 | 401 | 403 | 412;
  readonly message: string;
  /** The catalog error used meanwhile, when it is not the default for the status, and its `%s` text. */
  readonly interim?: { readonly id: ErrorId; readonly text: string };
}

export const AUTH_LOCAL_ERRORS = {
  // Credentials (§7.4)
  kuid_in_credentials: { status: 400, message: 'kuid cannot be specified in credentials.' },
  username_required: { status: 400, message: 'Username required.' },
  password_required: { status: 400, message: 'Password required.' },
  password_needed: { status: 400, message: 'Password needed.' },
  missing_username_or_password: { status: 400, message: 'Missing username or password.' },
  not_a_string: { status: 400, message: '"%s" must be a string.' },
  password_too_long: { status: 400, message: 'Password cannot be longer than %s bytes (UTF-8).' },
  login_in_password: { status: 400, message: 'Password cannot contain Username' },
  weak_password: { status: 400, message: 'Password is too weak' },
  reused_password: { status: 400, message: 'Cannot reuse password' },
  current_password_required: { status: 400, message: 'Cannot update credentials: password required.' },
  invalid_current_password: { status: 403, message: 'Invalid user or password.' },
  login_already_used: {
    status: 412,
    message: 'Login "%s" is already used.',
    interim: { id: 'security.user.already_exists', text: 'with login "%s"' },
  },
  credentials_exist: {
    status: 412,
    message: 'A strategy already exists for user "%s".',
    interim: { id: 'security.user.already_exists', text: '"%s" with local credentials' },
  },
  credentials_not_found: { status: 412, message: 'No credentials found for user "%s".' },
  username_not_found: { status: 412, message: 'No credentials found for username "%s".' },
  forbidden_search_field: {
    status: 403,
    message: 'Forbidden field "%s". Only "username" and "kuid" can be searched.',
  },
  forbidden_search_keyword: { status: 400, message: 'Forbidden keyword "%s".' },

  // Login (§7.4): both carry a reset token in their JSON form (`resetToken`).
  expired_password: { status: 401, message: 'Expired password' },
  must_change_password: { status: 401, message: 'Password change required' },

  // Reset-password actions (§7.5)
  missing_kuid: { status: 400, message: 'Missing kuid' },
  invalid_kuid: { status: 400, message: 'Invalid kuid given' },
  missing_body: { status: 400, message: 'Missing request body' },
  missing_password_attribute: { status: 400, message: 'Missing "password" attribute' },
  invalid_password_supplied: {
    status: 400,
    message: 'Invalid password supplied. Must be a non-empty string',
  },
  missing_token_attribute: { status: 400, message: 'Missing "token" attribute' },
  invalid_token_supplied: { status: 400, message: 'Invalid token supplied' },
  invalid_token: { status: 400, message: 'Invalid token' },
  expired_token: { status: 401, message: 'Expired token' },
} as const satisfies Record<string, AuthLocalErrorSpec>;

export type AuthLocalErrorName = keyof typeof AUTH_LOCAL_ERRORS;

export function authLocalError(
  name: AuthLocalErrorName,
  props: readonly (string | number)[] = [],
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): TesseraError {
  const spec: AuthLocalErrorSpec = AUTH_LOCAL_ERRORS[name];
  const id =
    spec.interim?.id ??
    (spec.status === 401 ? 'plugin.strategy.missing_user' : 'security.credentials.rejected');
  return new TesseraError(id, [fill(spec.interim?.text ?? spec.message, props)], options);
}

function fill(template: string, props: readonly (string | number)[]): string {
  let next = 0;
  return template.replace(/%s/g, () => String(props[next++] ?? ''));
}
