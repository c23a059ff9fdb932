/**
 * One configured OAuth strategy: its passport authenticator and the credential methods on its identity store.
 * A login finds the user linked to the provider identity (the `identifierAttribute` of the profile, nothing
 * else), or at the first login creates one with the default profiles and the mapped attributes.
 *
 * Linking: a provider identity is linked to an existing user only by a sign-in at the provider that this user
 * started while logged in (`startLink`, then the callback of that attempt), never from a body a user sends for
 * themselves: otherwise anyone could claim the identity of a person who has not signed in yet, and that person
 * would land in their account at their first sign-in (pre-hijacking). Administrators keep linking by value
 * (`{identity}` or `{<identifierAttribute>: value}`), as Kuzzle does: whoever may set any user's credentials
 * can take any account over anyway, and migrations need it.
 */
import {
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type JsonObject,
  type JsonValue,
  type PluginContext,
  type PassportRequest,
  type StrategyDefinition,
  type VerifyResult,
} from '@tessera/plugin-sdk';
import type { StrategySettings } from './config';
import { authOauthErrors } from './errors';
import type { IdentityStore, StoredIdentity } from './identity-store';
import type { LinkTickets, PendingLink } from './link-tickets';
import type { ResolvedProvider } from './provider';
import { guardedAuthenticator, startURL } from './guarded-authenticator';
import type { StrategyStateStore } from './state-store';

/** What one strategy works with. */
export interface OauthStrategyParts {
  readonly provider: ResolvedProvider;
  readonly store: IdentityStore;
  readonly states: StrategyStateStore;
  readonly tickets: LinkTickets;
  /** The plugin's context: user creation, the user directory, the bus. */
  readonly ctx: Pick<PluginContext, 'accounts' | 'identity' | 'bus'>;
  readonly defaultProfiles: readonly string[];
}

/**
 * The requests that may link an identity by its value: an administrator's actions on any user, and the
 * kernel's own (a first login's user creation, made for this plugin: no client can send an internal request).
 * A user's actions on themselves (`auth:*MyCredentials`, `security:createRestrictedUser`) never may.
 */
const LINK_BY_VALUE = new Set([
  'security:createCredentials',
  'security:updateCredentials',
  'security:validateCredentials',
  'security:createUser',
  'security:upsertUser',
  'security:createFirstAdmin',
]);

export function createOauthStrategy(
  settings: StrategySettings,
  parts: OauthStrategyParts,
): StrategyDefinition {
  const { provider, store, states, tickets, ctx, defaultProfiles } = parts;
  const linkRequiresLogin = () => authOauthErrors.create('link_requires_login', settings.name);
  const assertMayLinkByValue = (request: ApiRequest) => {
    const { controller, action } = request.input;
    if (request.connection.protocol !== 'internal' && !LINK_BY_VALUE.has(`${controller}:${action}`))
      throw linkRequiresLogin();
  };
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
      await ctx.accounts.createUser({
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
  /**
   * The callback of a link attempt: links `identity` to the user who started it, unless another user holds
   * it. The user is looked up first, so that a user deleted meanwhile is not left with credentials.
   */
  const completeLink = async ({ kuid, update }: PendingLink, identity: string): Promise<StoredIdentity> => {
    const owner = await store.findByIdentity(identity);
    if (owner !== null && owner._source.kuid !== kuid)
      throw tesseraError(
        'security.credentials.rejected',
        `the ${settings.name} identity you signed in with is linked to another user.`,
      );
    if (owner !== null) return owner;
    if ((await ctx.identity.describe(kuid)) === null) throw tesseraError('security.user.not_found', kuid);
    const current = update ? await store.findByKuid(kuid) : null;
    if (current === null) {
      const created = await store.create(kuid, identity, {});
      await ctx.accounts.credentialsCreated(kuid, { strategy: settings.name });
      return created;
    }
    const updated = await store.update(current, identity, current._source.attributes);
    // Another identity now logs this user in, a change of what proves who they are: the kernel's pipe revokes
    // the user's other tokens.
    await ctx.accounts.credentialsChanged(kuid, { strategy: settings.name, secretChanged: true });
    return updated;
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
        const { link, redirectTo } = states.endOf(request.original);
        const linked =
          link === null
            ? ((await store.findByIdentity(identity)) ?? (await firstLogin(identity, raw)))
            : await completeLink(link, identity);
        await store.update(linked, identity, persisted(settings, raw));
        return redirectTo === null
          ? { kuid: linked._source.kuid }
          : { kuid: linked._source.kuid, redirectTo };
      },
      async startLink(_request, body, kuid, _strategy, isUpdate) {
        const { redirectTo, ...named } = body;
        if (Object.keys(named).length > 0) throw linkRequiresLogin();
        if (redirectTo !== undefined && !settings.redirectURLs.includes(redirectTo as string))
          throw authOauthErrors.create(
            'redirect_not_allowed',
            typeof redirectTo === 'string' ? redirectTo : JSON.stringify(redirectTo),
            settings.name,
          );
        const current = await store.findByKuid(kuid);
        if (current === null && isUpdate) throw notFound(kuid);
        if (current !== null && !isUpdate)
          throw tesseraError(
            'security.credentials.rejected',
            `A strategy already exists for the user "${kuid}".`,
          );
        const { ticket, expiresAt } = await tickets.issue(
          settings.name,
          { kuid, update: isUpdate },
          settings.linkTtlMs,
        );
        return { url: startURL(settings, { redirectTo, link: ticket }), expiresAt };
      },
      async exists(_request, kuid) {
        return (await store.findByKuid(kuid)) !== null;
      },
      async validate(request, credentials, kuid, _strategy, isUpdate) {
        assertMayLinkByValue(request);
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
      async create(request, credentials, kuid) {
        assertMayLinkByValue(request);
        const identity = identityOf(credentials);
        if (identity === undefined)
          throw tesseraError('security.credentials.rejected', 'Missing "identity".');
        return infoOf(await store.create(kuid, identity, {}));
      },
      async update(request, credentials, kuid) {
        assertMayLinkByValue(request);
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
