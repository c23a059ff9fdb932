/**
 * The plugin: declares its configuration, opens its storage, and registers the `local` strategy and the
 * `password` controller. Everything it needs comes from its context or from the options below.
 */
import { randomBytes } from 'node:crypto';
import { definePlugin, type PluginDefinition } from '@tessera/plugin-sdk';
import { authLocalConfigSchema } from './config';
import { authLocalErrors } from './errors';
import { CredentialsStore } from './credentials-store';
import { LocalCredentials } from './local-credentials';
import { createLocalStrategy, STRATEGY_NAME } from './local-strategy';
import { bcryptHasher, type PasswordHasher } from './password-hasher';
import { CONTROLLER_NAME, createPasswordController } from './password-controller';
import { PasswordPolicies } from './password-policies';
import { ResetTokens } from './reset-tokens';

export interface AuthLocalOptions {
  /** How passwords are hashed and compared (default: bcrypt). */
  readonly hasher?: PasswordHasher;
  /** The time in epoch milliseconds (default: Date.now): password expiry and reset tokens read it. */
  readonly now?: () => number;
}

export function createAuthLocalPlugin(options: AuthLocalOptions = {}): PluginDefinition {
  const hasher = options.hasher ?? bcryptHasher;
  const now = options.now ?? Date.now;
  return definePlugin({
    errors: authLocalErrors,
    configSchema: authLocalConfigSchema,
    async setup(ctx) {
      const settings = ctx.config;
      const [store, resetTokens, dummyHash] = await Promise.all([
        CredentialsStore.open(ctx.storage),
        ResetTokens.open(ctx.storage, settings.resetPasswordExpiresIn, now),
        hasher.hash(randomBytes(32).toString('hex'), settings.bcryptCost),
      ]);
      const credentials = new LocalCredentials({
        settings,
        store,
        policies: new PasswordPolicies(settings.passwordPolicies, ctx.identity, hasher),
        resetTokens,
        hasher,
        now,
        log: ctx.log,
        dummyHash,
      });
      ctx.strategies.register(STRATEGY_NAME, createLocalStrategy(credentials, settings));
      ctx.api.register(CONTROLLER_NAME, createPasswordController(credentials, ctx.accounts));
    },
  });
}
