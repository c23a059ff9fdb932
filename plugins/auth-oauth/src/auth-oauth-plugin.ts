/**
 * The plugin: declares its configuration, resolves every provider (an OIDC issuer's discovery happens here, so a
 * wrong issuer stops the boot), and registers one strategy per configured entry.
 */
import { definePlugin, type PluginDefinition } from '@tessera/plugin-sdk';
import { authOauthConfigSchema } from './config';
import { authOauthErrors } from './errors';
import { IdentityStore } from './identity-store';
import { LinkTickets } from './link-tickets';
import { createOauthStrategy } from './oauth-strategy';
import { resolveProvider } from './provider';
import { StateStore } from './state-store';

export interface AuthOauthOptions {
  /** The time in epoch milliseconds (default: Date.now): state expiry reads it. */
  readonly now?: () => number;
}

export function createAuthOauthPlugin(options: AuthOauthOptions = {}): PluginDefinition {
  const now = options.now ?? Date.now;
  return definePlugin({
    errors: authOauthErrors,
    configSchema: authOauthConfigSchema,
    async setup(ctx) {
      const settings = ctx.config;
      for (const warning of settings.deprecated) ctx.log.warn(`auth-oauth: ${warning}`);
      if (settings.strategies.length === 0)
        ctx.log.warn('auth-oauth: no strategy configured, none registered');
      const states = await StateStore.open(ctx.storage, now);
      const tickets = await LinkTickets.open(ctx.storage, now);
      for (const strategy of settings.strategies) {
        const [provider, store] = await Promise.all([
          resolveProvider(strategy),
          IdentityStore.open(ctx.storage, strategy.name, now),
        ]);
        const callbackURL = String(strategy.credentials.callbackURL);
        ctx.strategies.register(
          strategy.name,
          createOauthStrategy(strategy, {
            provider,
            store,
            states: states.forStrategy(strategy.name, callbackURL, strategy.stateTtlMs, tickets),
            tickets,
            ctx,
            defaultProfiles: settings.defaultProfiles,
          }),
        );
      }
    },
  });
}
