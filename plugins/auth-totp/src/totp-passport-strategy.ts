/**
 * The passport authenticator of the `totp` strategy: no `passport-*` module speaks TOTP, so this is the small one
 * passport's own strategies would be. It reads `username` and `code` from the login body and hands them to the
 * verify callback the kernel built (with `passReqToCallback: true`); a missing field fails at once, as
 * passport-local does.
 */
import type { PassportRequest, PassportStrategy, PassportStrategyActions } from '@tessera/plugin-sdk';

type Done = (error: unknown, user?: string | false, info?: unknown) => void;
type Verify = (request: PassportRequest, username: unknown, code: unknown, done: Done) => void;

export class TotpPassportStrategy implements PassportStrategy {
  readonly name = 'totp';

  constructor(
    _options: Record<string, unknown>,
    private readonly verify: Verify,
  ) {}

  authenticate(this: TotpPassportStrategy & PassportStrategyActions, request: PassportRequest): void {
    const { username, code } = request.body;
    if (isMissing(username) || isMissing(code)) {
      this.fail({ message: 'Missing credentials' }, 400);
      return;
    }
    this.verify(request, username, code, (error, user, info) => {
      if (error) this.error(error);
      else if (user) this.success(user, info);
      else this.fail(info);
    });
  }
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
