/**
 * @tessera/plugin-auth-totp: the `totp` strategy (RFC 6238 one-time codes, enrolled with a server-generated
 * secret shown once as an otpauth:// URI and a QR code), usable alone or as a second factor of other strategies'
 * logins. The default export is the plugin, with the real clock and random secrets.
 */
import { createAuthTotpPlugin } from './auth-totp-plugin';

export default createAuthTotpPlugin();

export { createAuthTotpPlugin, type AuthTotpOptions } from './auth-totp-plugin';
export type { AuthTotpConfig, TotpAlgorithm } from './config';
export type { EnrolmentDocument } from './enrolment-store';
