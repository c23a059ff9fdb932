/**
 * One configured OAuth strategy: its passport authenticator and the credential methods on its identity store.
 * A login finds the user linked to the provider identity (the `identifierAttribute` of the profile, nothing
 * else), or at the first login creates one with the default profiles and the mapped attributes; credentials are `{identity}` (or `{<identifierAttribute>: value}`), linking an identity to a user.
 */
import {
  isTesseraError,
  tesseraError,
  type JsonObject,
  type JsonValue,
  type PluginContext,
  type PassportRequest,
  type StrategyDefinition,
  type VerifyResult,
} from '@tessera/plugin-sdk';
import type { StrategySettings } from './config';
import type { IdentityStore, StoredIdentity } from './identity-store';
import type { ResolvedProvider } from './provider';
import { guardedAuthenticator } from './guarded-authenticator';
import type { StrategyStateStore } from './state-store';

/** The kernel's user creation, as the plugin context hands it over. */
export type PluginAccounts = PluginContext['accounts'];

export function createOauthStrategy(
  settings: StrategySettings,
  provider: ResolvedProvider,
  store: IdentityStore,
  states: StrategyStateStore,
  accounts: PluginAccounts,
  defaultProfiles: readonly string[],
): StrategyDefinition {
  const identityOf = (credentials: JsonObject): string | undefined => {
    const value = credentials.identity ?? credentials[settings.identifierAttribute];
    return typeof value === 'string' && value !== ''
      ? value
      : typeof value === 'number'
        ? String(value)
        : undefined;
  };
  const infoOf = (stored: StoredIdentity): JsonObject => ({
    identity: stored._source.identity,
    ...stored._source.attributes,
  });
  /**
   * Creates the user and its link in one kernel call: the identity store's unique index decides between two
   * concurrent first logins, and the loser's user is rolled back by the kernel, so the loser reads the
   * winner's link instead of leaving an orphan user.
   */
  const firstLogin = async (identity: string, raw: JsonObject): Promise<StoredIdentity> => {
    try {
      await accounts.createUser({
        profileIds: defaultProfiles,
        content: mapped(settings, raw),
        credentials: { [settings.name]: { identity } },
      });
    } catch (error) {
      if (!isTesseraError(error) || error.id !== 'security.credentials.rejected') throw error;
    }
    const linked = await store.findByIdentity(identity);
    if (linked === null)
      throw tesseraError(
        'plugin.strategy.missing_user',
        `No user is linked to the ${settings.name} identity "${identity}".`,
      );
    return linked;
  };
  const notFound = (what: string) =>
    tesseraError('services.storage.not_found', what, 'plugin:auth-oauth', `identities-${settings.name}`);

  return {
    authenticator: guardedAuthenticator(provider.authenticator, settings),
    strategyOptions: {
      ...settings.credentials,
      ...provider.endpoints,
      state: true,
      pkce: true,
      store: states,
    },
    authenticateOptions: settings.scope.length > 0 ? { scope: [...settings.scope] } : {},
    fields: ['identity', ...settings.persist.map((path) => settings.kuzzleAttributesMapping[path] ?? path)],
    methods: {
      async verify(request: PassportRequest, ...args: never[]): Promise<VerifyResult> {
        const profile = (args as unknown[])[2] as { _json?: unknown } | undefined;
        const raw = (profile?._json ?? profile ?? {}) as JsonObject;
        const identity = scalar(pick(raw, settings.identifierAttribute));
        if (identity === undefined)
          return { kuid: null, message: `The provider's profile has no "${settings.identifierAttribute}".` };
        const linked = (await store.findByIdentity(identity)) ?? (await firstLogin(identity, raw));
        await store.update(linked, identity, persisted(settings, raw));
        const redirectTo = states.redirectOf(request.original);
        return redirectTo === null
          ? { kuid: linked._source.kuid }
          : { kuid: linked._source.kuid, redirectTo };
      },
      async exists(_request, kuid) {
        return (await store.findByKuid(kuid)) !== null;
      },
      async validate(_request, credentials, kuid, _strategy, isUpdate) {
        const identity = identityOf(credentials);
        if (identity === undefined) {
          if (isUpdate) return true;
          throw tesseraError(
            'security.credentials.rejected',
            `Missing "identity" (or "${settings.identifierAttribute}") attribute value.`,
          );
        }
        const owner = await store.findByIdentity(identity);
        if (owner !== null && owner._source.kuid !== kuid)
          throw tesseraError(
            'security.credentials.rejected',
            `IdentifierAttribute "${identity}" is already used.`,
          );
        return true;
      },
      async create(_request, credentials, kuid) {
        const identity = identityOf(credentials);
        if (identity === undefined)
          throw tesseraError('security.credentials.rejected', 'Missing "identity".');
        return infoOf(await store.create(kuid, identity, {}));
      },
      async update(_request, credentials, kuid) {
        const current = await store.findByKuid(kuid);
        if (current === null) throw notFound(kuid);
        return infoOf(
          await store.update(
            current,
            identityOf(credentials) ?? current._source.identity,
            current._source.attributes,
          ),
        );
      },
      async delete(_request, kuid) {
        const current = await store.findByKuid(kuid);
        if (current === null) throw notFound(kuid);
        return store.delete(current);
      },
      async getInfo(_request, kuid) {
        const current = await store.findByKuid(kuid);
        if (current === null) throw notFound(kuid);
        return infoOf(current);
      },
      async getById(_request, id) {
        const current = await store.findByIdentity(id);
        if (current === null) throw notFound(id);
        return { kuid: current._source.kuid, ...infoOf(current) };
      },
    },
  };
}

/** The persisted attributes of a raw profile, under their mapped names. */
function persisted(settings: StrategySettings, raw: JsonObject): JsonObject {
  const kept: JsonObject = {};
  for (const path of settings.persist) {
    const value = pick(raw, path);
    if (value !== undefined) kept[settings.kuzzleAttributesMapping[path] ?? path] = value;
  }
  return kept;
}

/** The content of a user created at first login: the mapped profile attributes, under their mapped names. */
function mapped(settings: StrategySettings, raw: JsonObject): JsonObject {
  const content: JsonObject = {};
  for (const [path, name] of Object.entries(settings.kuzzleAttributesMapping)) {
    const value = pick(raw, path);
    if (value !== undefined) content[name] = value;
  }
  return content;
}

/** The value at a dotted path (`picture.data.url`, `emails.0.value`). */
function pick(raw: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = raw;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Array.isArray(current) ? current[Number(key)] : current[key];
  }
  return current;
}

function scalar(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
