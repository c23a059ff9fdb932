/**
 * The plugin: declares its configuration, opens its storage, registers the `totp` strategy and, when
 * `secondFactor.strategies` names any, the `auth:strategyAuthenticated` pipe that asks their logins for a code.
 * Everything it needs comes from its context or from the options below.
 */
import { definePlugin, type PluginDefinition } from '@tessera/plugin-sdk';
import { Secret } from 'otpauth';
import { authTotpConfigSchema } from './config';
import { authTotpErrors } from './errors';
import { EnrolmentStore } from './enrolment-store';
import { TotpCredentials } from './totp-credentials';
import { createTotpStrategy, STRATEGY_NAME } from './totp-strategy';

export interface AuthTotpOptions {
  /** The time in epoch milliseconds (default: Date.now): which codes are valid depends on it. */
  readonly now?: () => number;
  /** A new base32 secret for a user (default: 20 random bytes, RFC 4226's recommended length). */
  readonly newSecret?: (kuid: string) => string;
}

export function createAuthTotpPlugin(options: AuthTotpOptions = {}): PluginDefinition {
  const now = options.now ?? Date.now;
  const newSecret = options.newSecret ?? (() => new Secret({ size: 20 }).base32);
  return definePlugin({
    errors: authTotpErrors,
    configSchema: authTotpConfigSchema,
    async setup(ctx) {
      const settings = ctx.config;
      const credentials = new TotpCredentials({
        settings,
        store: await EnrolmentStore.open(ctx.storage),
        now,
        newSecret,
      });
      ctx.strategies.register(STRATEGY_NAME, createTotpStrategy(credentials, settings));
      if (settings.secondFactor.strategies.length === 0) return;
      const strategies = new Set(settings.secondFactor.strategies);
      ctx.bus.pipe('auth:strategyAuthenticated', async (login) => {
        if (strategies.has(login.strategy))
          await credentials.checkSecondFactor(login.kuid, login.request.input.body?.code);
        return login;
      });
    },
  });
}
