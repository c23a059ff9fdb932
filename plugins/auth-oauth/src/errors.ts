/**
 * The errors only this plugin raises, `plugin.auth-oauth.<name>` under its own subdomain 0x91. The kernel
 * registers them at boot.
 */
import { definePluginErrors } from '@tessera/plugin-sdk';

export const authOauthErrors = definePluginErrors('auth-oauth', 0x91, {
  redirect_not_allowed: {
    code: 0x01,
    status: 400,
    message: 'The URL "%s" is not in the redirect allow-list of the strategy "%s".',
  },
  provider_failed: {
    code: 0x02,
    status: 502,
    message: 'The provider of the strategy "%s" failed to answer; try again later.',
  },
  link_requires_login: {
    code: 0x03,
    status: 400,
    message:
      'A "%s" identity is linked only by signing in at its provider, never from a request body: call auth:createMyCredentials (or updateMyCredentials) with an empty body, then open the "url" it answers in a browser.',
  },
});
