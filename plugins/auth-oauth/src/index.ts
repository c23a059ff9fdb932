/**
 * @tessera/plugin-auth-oauth: sign in with external OAuth 2.0 / OpenID Connect providers. The default export is
 * the plugin with the real clock.
 */
import { createAuthOauthPlugin } from './auth-oauth-plugin';

export default createAuthOauthPlugin();

export { createAuthOauthPlugin, type AuthOauthOptions } from './auth-oauth-plugin';
export type { AuthOauthSettings, StrategySettings } from './config';
