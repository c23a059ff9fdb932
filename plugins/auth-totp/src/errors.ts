/**
 * The errors only this plugin raises, `plugin.auth-totp.<name>` under its own subdomain 0x92. The kernel
 * registers them at boot.
 */
import { definePluginErrors, type TesseraError } from '@tessera/plugin-sdk';

export const authTotpErrors = definePluginErrors('auth-totp', 0x92, {
  code_required: {
    code: 0x01,
    status: 401,
    message: 'A one-time code is required: send "code" with the login.',
  },
  invalid_code: { code: 0x02, status: 401, message: 'Invalid or already used one-time code.' },
  credentials_exist: { code: 0x03, status: 412, message: 'User "%s" is already enrolled in TOTP.' },
  credentials_not_found: { code: 0x04, status: 404, message: 'User "%s" is not enrolled in TOTP.' },
  already_confirmed: {
    code: 0x05,
    status: 412,
    message: 'The TOTP enrolment of user "%s" is already confirmed.',
  },
});

export type AuthTotpErrorName = keyof typeof authTotpErrors.specs;

export function authTotpError(
  name: AuthTotpErrorName,
  props: readonly (string | number)[] = [],
): TesseraError {
  return authTotpErrors.create(name, ...props);
}
