/**
 * Runs a registered passport strategy once, for one login attempt, and answers with a promise: the one place
 * passport's callback style meets our async code. Passport is driven the way its own middleware does it: a
 * per-attempt object inherits from the strategy and receives the success/fail/redirect/error actions.
 */
import type { PassportRequest, PassportStrategyActions } from '@tessera/plugin-sdk';
import type { RegisteredStrategy } from './strategy-registry';

export type AuthenticationOutcome =
  | { readonly kind: 'authenticated'; readonly kuid: string; readonly redirectTo?: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'redirect'; readonly url: string; readonly status: number };

/** `passportRequest` comes from `passportRequestOf`. */
export function authenticate(
  strategy: RegisteredStrategy,
  passportRequest: PassportRequest,
): Promise<AuthenticationOutcome> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy.passport) as typeof strategy.passport & PassportStrategyActions;
    attempt.success = (user, info) =>
      resolve({ kind: 'authenticated', kuid: user as string, redirectTo: redirectOf(info) });
    attempt.fail = (challenge) =>
      resolve({ kind: 'failed', message: failureMessage(strategy.name, challenge) });
    attempt.redirect = (url, status = 302) => resolve({ kind: 'redirect', url, status });
    attempt.pass = () => resolve({ kind: 'failed', message: failureMessage(strategy.name, undefined) });
    // Whatever a strategy reports or throws is the rejection, as is: passport strategies may report non-Errors.
    const fail = (error: unknown) => reject(error as Error); // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion
    attempt.error = fail;
    try {
      attempt.authenticate(passportRequest, { ...strategy.authenticateOptions });
    } catch (error) {
      fail(error);
    }
  });
}

/** The verify adapter's checked `redirectTo`; passport strategies pass other `info` shapes through too. */
function redirectOf(info: unknown): string | undefined {
  const redirectTo = (info as { redirectTo?: unknown } | null | undefined)?.redirectTo;
  return typeof redirectTo === 'string' ? redirectTo : undefined;
}

function failureMessage(name: string, challenge: unknown): string {
  if (typeof challenge === 'string' && challenge !== '') return challenge;
  const message = (challenge as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== ''
    ? message
    : `Unable to log in using the strategy "${name}"`;
}
