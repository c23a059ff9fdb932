/**
 * @tessera/plugin-auth-local: the `local` strategy (username and password, bcrypt-hashed, with password
 * policies) and its reset-password controller. The default export is the plugin, with bcrypt and the real clock.
 */
import { createAuthLocalPlugin } from './auth-local-plugin';

export default createAuthLocalPlugin();

export { createAuthLocalPlugin, type AuthLocalOptions } from './auth-local-plugin';
export { bcryptHasher, MAX_PASSWORD_BYTES, type PasswordHasher } from './password-hasher';
export type { AuthLocalConfig, PasswordPolicyConfig } from './config';
export type { CredentialsDocument } from './credentials-store';
