/**
 * The plugin's configuration (`plugins.auth-oauth`) as a zod schema, the plugin's `configSchema`: the kernel
 * checks it before setup, so a strategy with a wrong configuration stops the boot naming the key instead of
 * failing at its first login. `ctx.config` holds what the schema returns: one settings object per strategy.
 * Kuzzle's spellings `callbackUrl` and `defaultProfile` are accepted; `deprecated` lists them for setup to warn.
 * Unknown keys are ignored, as Kuzzle's OAuth plugin ignores them.
 */
import { expected, type DeepReadonly } from '@tessera/plugin-sdk';
import { z } from 'zod';

export type ProviderKind = 'oauth2' | 'oidc' | 'module';

const NAME = /^[a-z][a-z0-9_-]{0,40}$/;
const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;
// A link URL is opened by the client at once (a popup, a redirect): minutes are plenty, and it is a bearer URL.
const DEFAULT_LINK_TTL_MS = 2 * 60 * 1000;

const text = z.string({ error: expected('a non-empty string') }).min(1);
const texts = z.array(text, { error: expected('a list of strings') });
const positive = z.number({ error: expected('a positive number') }).positive();

/** An absolute http(s) URL without a fragment nor user info: the only kind a login may be redirected to. */
const redirectURL = z.string().refine(isAbsoluteWebUrl, {
  error: expected('an absolute http(s) URL without a fragment'),
});

const credentials = z.looseObject({
  clientID: text,
  clientSecret: z.string({ error: 'expected a non-empty string' }).min(1),
  callbackURL: text.optional(),
  /** Kuzzle's spelling of callbackURL. */
  callbackUrl: text.optional(),
  authorizationURL: text.optional(),
  tokenURL: text.optional(),
  issuer: text.optional(),
  userInfoURL: text.optional(),
});

const strategy = z.object({
  /** `oauth2`, `oidc`, or the suffix of an installed `passport-<suffix>` module (default: the strategy name). */
  passportStrategy: text.optional(),
  /** Options for the passport strategy's constructor (clientID, clientSecret, callbackURL, endpoints...). */
  credentials,
  issuer: text.optional(),
  userInfoURL: text.optional(),
  authorizationURL: text.optional(),
  tokenURL: text.optional(),
  scope: z.union([z.string(), texts], { error: expected('a list of strings or one string') }).optional(),
  /** The profile attribute (a dotted path in the provider's raw profile) that identifies a user. */
  identifierAttribute: text.optional(),
  /** Dotted paths of the raw profile kept with the credentials. */
  persist: texts.default([]),
  /** Profile path -> name it is stored under. */
  kuzzleAttributesMapping: z
    .record(
      z.string(),
      // A provider must never choose a user's profiles or the kernel's metadata.
      text.refine((stored) => stored !== 'profileIds' && stored !== 'identity' && !stored.startsWith('_'), {
        error: expected('a name other than "profileIds", "identity" or one starting with "_"'),
      }),
      { error: expected('an object') },
    )
    .default({}),
  /** Milliseconds a login attempt's `state` stays valid. */
  stateTtlMs: positive.default(DEFAULT_STATE_TTL_MS),
  /** Milliseconds a link URL (its ticket) stays valid before a browser opens it. */
  linkTtlMs: positive.default(DEFAULT_LINK_TTL_MS),
  /** Front-end URLs a login may name as `redirectTo`: the flow then ends with the token in a cookie and a 302 there. */
  redirectURLs: z.array(redirectURL, { error: expected('a list of strings') }).default([]),
});

/**
 * One strategy's settings, resolved: its name, its kind, its endpoints in `credentials` or beside them. Runs on
 * the whole configuration (a strategy's name is its key), so its issues name their path from the root.
 */
function resolveStrategy(name: string, cfg: z.output<typeof strategy>, ctx: z.RefinementCtx) {
  const missing = (path: readonly (string | number)[], what = 'a non-empty string') =>
    ctx.addIssue({
      code: 'custom',
      path: ['strategies', name, ...path],
      message: `expected ${what}, got undefined`,
    });
  const passportStrategy = cfg.passportStrategy ?? name;
  const kind: ProviderKind =
    passportStrategy === 'oauth2' ? 'oauth2' : passportStrategy === 'oidc' ? 'oidc' : 'module';
  const {
    callbackUrl,
    issuer: credentialsIssuer,
    userInfoURL: credentialsUserInfo,
    ...options
  } = cfg.credentials;
  const callbackURL = options.callbackURL ?? callbackUrl;
  if (callbackURL === undefined) missing(['credentials', 'callbackURL']);
  const issuer = cfg.issuer ?? credentialsIssuer;
  const userInfoURL = cfg.userInfoURL ?? credentialsUserInfo;
  const authorizationURL = options.authorizationURL ?? cfg.authorizationURL;
  const tokenURL = options.tokenURL ?? cfg.tokenURL;
  if (kind === 'oauth2') {
    if (authorizationURL === undefined) missing(['credentials', 'authorizationURL']);
    if (tokenURL === undefined) missing(['credentials', 'tokenURL']);
    if (userInfoURL === undefined) missing(['userInfoURL']);
  }
  if (kind === 'oidc' && issuer === undefined) missing(['issuer']);
  const identifierAttribute = cfg.identifierAttribute ?? (kind === 'module' ? 'id' : 'sub');
  if (cfg.kuzzleAttributesMapping[identifierAttribute] !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['strategies', name, 'kuzzleAttributesMapping', identifierAttribute],
      message: 'expected nothing: the identifier attribute cannot be renamed',
    });
  const scope = cfg.scope ?? (kind === 'oidc' ? ['openid'] : []);
  return {
    name,
    passportStrategy,
    kind,
    credentials: {
      ...options,
      callbackURL,
      ...(kind === 'oauth2' ? { authorizationURL, tokenURL } : {}),
    } as Readonly<Record<string, unknown>>,
    issuer,
    userInfoURL,
    scope: typeof scope === 'string' ? scope.split(/[ ,]+/) : scope,
    identifierAttribute,
    persist: cfg.persist.includes(identifierAttribute) ? cfg.persist : [identifierAttribute, ...cfg.persist],
    kuzzleAttributesMapping: cfg.kuzzleAttributesMapping,
    stateTtlMs: cfg.stateTtlMs,
    linkTtlMs: cfg.linkTtlMs,
    redirectURLs: cfg.redirectURLs,
    /** Kuzzle's spelling was used. */
    deprecatedCallbackUrl: options.callbackURL === undefined && callbackUrl !== undefined,
  };
}

const profiles = z.union([text.transform((profile) => [profile]), texts], {
  error: expected('a list of profile ids'),
});

export const authOauthConfigSchema = z
  .object({
    defaultProfiles: profiles.optional(),
    /** Kuzzle's spelling of defaultProfiles. */
    defaultProfile: profiles.optional(),
    strategies: z
      .record(z.string().regex(NAME), strategy, {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? `expected a strategy name matching ${String(NAME)}`
            : 'expected an object',
      })
      .default({}),
  })
  .transform(({ defaultProfiles, defaultProfile, strategies }, ctx) => {
    const resolved = Object.entries(strategies).map(([name, cfg]) => resolveStrategy(name, cfg, ctx));
    const deprecated = [
      ...(defaultProfiles === undefined && defaultProfile !== undefined
        ? ['"defaultProfile" is deprecated, use "defaultProfiles"']
        : []),
      ...resolved
        .filter((settings) => settings.deprecatedCallbackUrl)
        .map(({ name }) => `strategies.${name}.credentials.callbackUrl is deprecated, use callbackURL`),
    ];
    return {
      defaultProfiles: defaultProfiles ?? defaultProfile ?? ['default'],
      strategies: resolved.map(({ deprecatedCallbackUrl: _deprecated, ...settings }) => settings),
      /** Deprecated spellings the configuration used, one warning each (setup logs them). */
      deprecated,
    };
  });

/** `plugins.auth-oauth` as written in the server's configuration. */
export type AuthOauthConfig = z.input<typeof authOauthConfigSchema>;
/** The checked configuration: what `ctx.config` holds. */
export type AuthOauthSettings = DeepReadonly<z.output<typeof authOauthConfigSchema>>;
export type StrategySettings = AuthOauthSettings['strategies'][number];

function isAbsoluteWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '' && url.username === '';
}
