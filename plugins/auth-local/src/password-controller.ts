/**
 * The `auth-local/password` controller (reference §7.5): an administrator gets a reset token for a user, and
 * whoever holds it sets a new password. Unlike Kuzzle, `reset` does not log the user in (only the kernel
 * issues tokens): it acknowledges, and the client logs in with the new password. The plugin tells the kernel that
 * the credentials of its `local` strategy changed (`ctx.accounts.credentialsChanged`), so the kernel revokes the
 * user's tokens as it does for any password change.
 */
import type { PluginActionDefinition, PluginContext } from '@tessera/plugin-sdk';
import { authLocalError } from './errors';
import type { LocalCredentials } from './local-credentials';
import { STRATEGY_NAME } from './local-strategy';

export const CONTROLLER_NAME = 'password';

export function createPasswordController(
  credentials: LocalCredentials,
  accounts: PluginContext['accounts'],
): Readonly<Record<string, PluginActionDefinition>> {
  return {
    // Admin-only: the default rights grant plugin actions to admins; grant `reset` alone to anonymous for
    // self-service resets.
    getResetPasswordToken: {
      http: [{ verb: 'GET', path: '/password/resetToken/:_id' }],
      async handler(request) {
        const kuid = request.input.args['_id'];
        if (kuid === undefined || kuid === '') throw authLocalError('missing_kuid');
        const resetToken = typeof kuid === 'string' ? await credentials.resetToken(kuid) : null;
        if (resetToken === null) throw authLocalError('invalid_kuid');
        return { resetToken };
      },
    },
    reset: {
      http: [{ verb: 'POST', path: '/password/reset' }],
      async handler(request) {
        const body = request.input.body;
        if (body === null) throw authLocalError('missing_body');
        const { password, token } = body;
        if (password === undefined) throw authLocalError('missing_password_attribute');
        if (typeof password !== 'string' || password === '')
          throw authLocalError('invalid_password_supplied');
        if (token === undefined) throw authLocalError('missing_token_attribute');
        if (typeof token !== 'string' || token === '') throw authLocalError('invalid_token_supplied');
        const kuid = await credentials.resetPassword(token, password);
        await accounts.credentialsChanged(kuid, { strategy: STRATEGY_NAME, secretChanged: true });
        return { acknowledged: true, kuid };
      },
    },
  };
}
