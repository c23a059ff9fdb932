/**
 * The `totp` strategy as the kernel sees it: the TOTP passport authenticator, and the credential methods adapted
 * onto TotpCredentials. A login body is `{username, code}` where `username` is the user's kuid: the strategy
 * needs no other identifier, and the kernel's per-username throttle and lockout count it like any username.
 */
import type {
  ApiRequest,
  PassportRequest,
  PassportStrategyConstructor,
  StrategyDefinition,
} from '@tessera/plugin-sdk';
import type { AuthTotpSettings } from './config';
import type { Requester, TotpCredentials } from './totp-credentials';
import { TotpPassportStrategy } from './totp-passport-strategy';

export const STRATEGY_NAME = 'totp';

/** The answer to every refused code login: an unknown user, a pending enrolment, a wrong or replayed code. */
export const WRONG_LOGIN = 'wrong username or one-time code';

export const STANDALONE_DISABLED =
  'Logging in with a one-time code alone is disabled: send the code with the login of the first factor.';

export function createTotpStrategy(
  credentials: TotpCredentials,
  settings: AuthTotpSettings,
): StrategyDefinition {
  // auth:updateMyCredentials and auth:deleteMyCredentials: the user acts on their own enrolment.
  const requesterOf = (request: ApiRequest): Requester =>
    request.input.controller === 'auth' ? 'self' : 'administrator';

  return {
    authenticator: TotpPassportStrategy as unknown as PassportStrategyConstructor,
    fields: ['label', 'code', 'renew'],
    methods: {
      async verify(_request: PassportRequest, username: unknown, code: unknown) {
        if (!settings.standaloneLogin) return { kuid: null, message: STANDALONE_DISABLED };
        const kuid = await credentials.verifyLogin(username, code);
        return kuid === null ? { kuid: null, message: WRONG_LOGIN } : { kuid };
      },
      exists: (_request, kuid) => credentials.exists(kuid),
      // A refusal is a rejection, like every other method's, not a synchronous throw.
      validate: (_request, fields, _kuid, _strategy, isUpdate) =>
        new Promise((resolve) => resolve(credentials.validate(fields, isUpdate))),
      create: (_request, fields, kuid) => credentials.create(fields, kuid),
      update: (request, fields, kuid) => credentials.update(fields, kuid, requesterOf(request)),
      delete: (request, kuid) => credentials.delete(kuid, requesterOf(request), request.input.body?.code),
      getInfo: (_request, kuid) => credentials.info(kuid),
      // The strategy's own id is the kuid.
      getById: (_request, id) => credentials.info(id),
    },
  };
}
