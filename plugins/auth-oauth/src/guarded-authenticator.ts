/**
 * The passport strategy a configured strategy runs, with two guards around it.
 *
 * Where a login starts: each login binds itself to the browser that starts it (see browser-binding.ts), which
 * only an HTTP answer can do, so a start over WebSocket is answered with a 302 to this server's own
 * `/_login/<name>` (the callback URL), which the client opens in the browser as it would the provider's page.
 * A start naming `redirectTo` is checked against the strategy's allow-list before anything is stored. A link
 * start (`link`: a ticket from auth:createMyCredentials) at an OpenID provider asks it to sign the user in
 * again (`prompt=login`), so that an identity is never linked by a provider session alone.
 *
 * How the provider's errors read: passport reports them as raw errors, which would be internal errors on the
 * wire. A refusal by the provider (an error at the authorization step, a rejected code) is a login failure;
 * any other failure (unreachable, unreadable answer) is `plugin.auth-oauth.provider_failed`, its details in
 * the logs only.
 */
import {
  TesseraError,
  isTesseraError,
  type PassportRequest,
  type PassportStrategy,
  type PassportStrategyActions,
  type PassportStrategyConstructor,
} from '@tessera/plugin-sdk';
import type { StrategySettings } from './config';
import { authOauthErrors } from './errors';

/** passport-oauth2's errors for a provider that answered "no". */
const PROVIDER_REFUSALS = new Set(['AuthorizationError', 'TokenError']);

export function guardedAuthenticator(
  Base: PassportStrategyConstructor,
  settings: StrategySettings,
): PassportStrategyConstructor {
  return class GuardedStrategy extends (Base as new (...args: never[]) => PassportStrategy) {
    override authenticate(
      this: PassportStrategy & PassportStrategyActions,
      req: PassportRequest,
      options?: Record<string, unknown>,
    ): void {
      const report = this.error.bind(this);
      this.error = (error: unknown) => report(translated(settings.name, error));
      const { code, error, redirectTo, link } = req.query;
      if (code === undefined && error === undefined) {
        if (redirectTo !== undefined && !settings.redirectURLs.includes(redirectTo as string)) {
          const shown = typeof redirectTo === 'string' ? redirectTo : JSON.stringify(redirectTo);
          return this.error(authOauthErrors.create('redirect_not_allowed', shown, settings.name));
        }
        if (req.original.connection.protocol !== 'http')
          return this.redirect(startURL(settings, { redirectTo, link }));
        if (link !== undefined && settings.kind === 'oidc')
          return super.authenticate(req, { ...options, prompt: 'login' });
      }
      super.authenticate(req, options);
    }
  } as unknown as PassportStrategyConstructor;
}

function translated(strategy: string, error: unknown): unknown {
  if (isTesseraError(error)) return error;
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && PROVIDER_REFUSALS.has(name))
    return new TesseraError(
      'plugin.strategy.missing_user',
      [
        typeof message === 'string' && message !== ''
          ? message
          : `The provider of "${strategy}" refused the login.`,
      ],
      { cause: error },
    );
  return authOauthErrors.wrap('provider_failed', [strategy], { cause: error });
}

/** The HTTP start of this strategy's login: the callback URL, without code, with `redirectTo` and `link`. */
export function startURL(settings: StrategySettings, args: { redirectTo?: unknown; link?: unknown }): string {
  const url = new URL(String(settings.credentials.callbackURL));
  for (const [name, value] of Object.entries(args))
    if (typeof value === 'string') url.searchParams.set(name, value);
  return url.toString();
}
