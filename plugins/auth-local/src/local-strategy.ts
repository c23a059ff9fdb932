/**
 * The `local` strategy as the kernel sees it: passport-local as the authenticator, and the credential methods
 * of reference §6.3 adapted onto LocalCredentials. This is where API requests meet the credentials rules:
 * who the updater is, and when `requirePassword` applies.
 */
import { Strategy as PassportLocalStrategy } from 'passport-local';
import type {
  ApiRequest,
  PassportRequest,
  PassportStrategyConstructor,
  StrategyDefinition,
} from '@tessera/plugin-sdk';
import type { AuthLocalSettings } from './config';
import type { LocalCredentials } from './local-credentials';

export const STRATEGY_NAME = 'local';

export function createLocalStrategy(
  credentials: LocalCredentials,
  settings: AuthLocalSettings,
): StrategyDefinition {
  /** `requirePassword` guards the self-service actions (auth:updateMyCredentials, auth:deleteMyCredentials) only. */
  const checkSelfService = async (request: ApiRequest, kuid: string): Promise<void> => {
    if (settings.requirePassword && request.input.controller === 'auth') {
      await credentials.checkCurrentPassword(kuid, request.input.body?.['currentPassword']);
    }
  };
  const updaterOf = (request: ApiRequest): string | null => request.user?._id ?? null;

  return {
    // passport-local's typings want Express requests and a literal `passReqToCallback: true`; the kernel
    // forces that option and hands it a PassportRequest, whose `body` and `query` are all it reads.
    authenticator: PassportLocalStrategy as unknown as PassportStrategyConstructor,
    fields: ['username', 'password'],
    methods: {
      // passport-local answers "Missing credentials" itself when a field is absent or empty.
      verify: (_request: PassportRequest, username: unknown, password: unknown) =>
        credentials.verify(username, password),
      exists: (_request, kuid) => credentials.exists(kuid),
      validate: (_request, fields, kuid, _strategy, isUpdate) => credentials.validate(fields, kuid, isUpdate),
      create: (request, fields, kuid) => credentials.create(fields, kuid, updaterOf(request)),
      update: async (request, fields, kuid) => {
        await checkSelfService(request, kuid);
        return credentials.update(fields, kuid, updaterOf(request));
      },
      changesSecret: (_request, fields) => credentials.changesSecret(fields),
      delete: async (request, kuid) => {
        await checkSelfService(request, kuid);
        await credentials.delete(kuid);
      },
      getInfo: (_request, kuid) => credentials.getInfo(kuid),
      getById: (_request, username) => credentials.getByUsername(username),
      search: (body, options) => credentials.search(body, options),
    },
  };
}
