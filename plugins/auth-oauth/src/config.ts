/**
 * Reads and checks `plugins.auth-oauth` once, at setup: a strategy with a wrong configuration stops the boot
 * instead of failing at its first login. Kuzzle's spellings `callbackUrl` and `defaultProfile` are accepted
 * with a deprecation warning.
 */
import { tesseraError, type Logger } from '@tessera/plugin-sdk';

export type ProviderKind = 'oauth2' | 'oidc' | 'module';

export interface StrategySettings {
  readonly name: string;
  /** `oauth2`, `oidc`, or the suffix of an installed `passport-<suffix>` module. */
  readonly passportStrategy: string;
  readonly kind: ProviderKind;
  /** Options for the passport strategy's constructor (clientID, clientSecret, callbackURL, endpoints...). */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly issuer?: string;
  readonly userInfoURL?: string;
  readonly scope: readonly string[];
  /** The profile attribute (a dotted path in the provider's raw profile) that identifies a user. */
  readonly identifierAttribute: string;
  /** Dotted paths of the raw profile kept with the credentials. */
  readonly persist: readonly string[];
  /** Profile path -> name it is stored under. */
  readonly kuzzleAttributesMapping: Readonly<Record<string, string>>;
  /** Milliseconds a login attempt's `state` stays valid. */
  readonly stateTtlMs: number;
  /** Milliseconds a link URL (its ticket) stays valid before a browser opens it. */
  readonly linkTtlMs: number;
  /** Front-end URLs a login may name as `redirectTo`: the flow then ends with the token in a cookie and a 302 there. */
  readonly redirectURLs: readonly string[];
}

export interface AuthOauthSettings {
  readonly strategies: readonly StrategySettings[];
  readonly defaultProfiles: readonly string[];
}

const NAME = /^[a-z][a-z0-9_-]{0,40}$/;
const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;
// A link URL is opened by the client at once (a popup, a redirect): minutes are plenty, and it is a bearer URL.
const DEFAULT_LINK_TTL_MS = 2 * 60 * 1000;

export function readSettings(config: unknown, log: Logger): AuthOauthSettings {
  const root = asObject(config, 'the configuration');
  const defaultProfiles = readDefaultProfiles(root, log);
  const strategies = root.strategies === undefined ? {} : asObject(root.strategies, '"strategies"');
  if (Object.keys(strategies).length === 0) log.warn('auth-oauth: no strategy configured, none registered');
  return {
    defaultProfiles,
    strategies: Object.entries(strategies).map(([name, value]) => readStrategy(name, value, log)),
  };
}

function readDefaultProfiles(root: Record<string, unknown>, log: Logger): string[] {
  let profiles = root.defaultProfiles;
  if (profiles === undefined && root.defaultProfile !== undefined) {
    log.warn('auth-oauth: "defaultProfile" is deprecated, use "defaultProfiles"');
    profiles = root.defaultProfile;
  }
  if (profiles === undefined) return ['default'];
  if (typeof profiles === 'string') return [profiles];
  if (!Array.isArray(profiles) || profiles.some((p) => typeof p !== 'string' || p === ''))
    throw invalid('"defaultProfiles" must be a list of profile ids');
  return [...(profiles as string[])];
}

function readStrategy(name: string, value: unknown, log: Logger): StrategySettings {
  if (!NAME.test(name)) throw invalid(`strategy name "${name}" must match ${String(NAME)}`);
  const cfg = asObject(value, `strategies.${name}`);
  const passportStrategy =
    optionalString(cfg.passportStrategy, `strategies.${name}.passportStrategy`) ?? name;
  const kind: ProviderKind =
    passportStrategy === 'oauth2' ? 'oauth2' : passportStrategy === 'oidc' ? 'oidc' : 'module';
  const credentials = { ...asObject(cfg.credentials, `strategies.${name}.credentials`) };
  if (credentials.callbackURL === undefined && credentials.callbackUrl !== undefined) {
    log.warn(`auth-oauth: strategies.${name}.credentials.callbackUrl is deprecated, use callbackURL`);
    credentials.callbackURL = credentials.callbackUrl;
  }
  delete credentials.callbackUrl;
  for (const key of ['clientID', 'clientSecret', 'callbackURL'])
    requireString(credentials[key], `strategies.${name}.credentials.${key}`);
  const issuer = optionalString(cfg.issuer ?? credentials.issuer, `strategies.${name}.issuer`);
  delete credentials.issuer;
  const userInfoURL = optionalString(
    cfg.userInfoURL ?? credentials.userInfoURL,
    `strategies.${name}.userInfoURL`,
  );
  delete credentials.userInfoURL;
  if (kind === 'oauth2') {
    for (const key of ['authorizationURL', 'tokenURL'])
      requireString(credentials[key] ?? cfg[key], `strategies.${name}.credentials.${key}`);
    credentials.authorizationURL ??= cfg.authorizationURL;
    credentials.tokenURL ??= cfg.tokenURL;
    requireString(userInfoURL, `strategies.${name}.userInfoURL`);
  }
  if (kind === 'oidc') requireString(issuer, `strategies.${name}.issuer`);
  const identifierAttribute = requireString(
    cfg.identifierAttribute ?? (kind === 'module' ? 'id' : 'sub'),
    `strategies.${name}.identifierAttribute`,
  );
  const persist = stringList(cfg.persist ?? [], `strategies.${name}.persist`);
  const mapping = asObject(cfg.kuzzleAttributesMapping ?? {}, `strategies.${name}.kuzzleAttributesMapping`);
  for (const [path, stored] of Object.entries(mapping)) {
    requireString(stored, `strategies.${name}.kuzzleAttributesMapping.${path}`);
    // A provider must never choose a user's profiles or the kernel's metadata.
    if (stored === 'profileIds' || stored === 'identity' || String(stored).startsWith('_'))
      throw invalid(`strategies.${name}.kuzzleAttributesMapping.${path}: "${String(stored)}" is reserved`);
  }
  if (mapping[identifierAttribute] !== undefined)
    throw invalid(`strategies.${name}: the identifier attribute cannot be renamed`);
  const scope = cfg.scope === undefined ? (kind === 'oidc' ? ['openid'] : []) : cfg.scope;
  const stateTtlMs = positiveNumber(cfg.stateTtlMs ?? DEFAULT_STATE_TTL_MS, `strategies.${name}.stateTtlMs`);
  const linkTtlMs = positiveNumber(cfg.linkTtlMs ?? DEFAULT_LINK_TTL_MS, `strategies.${name}.linkTtlMs`);
  const redirectURLs = stringList(cfg.redirectURLs ?? [], `strategies.${name}.redirectURLs`);
  for (const url of redirectURLs)
    if (!isAbsoluteWebUrl(url))
      throw invalid(
        `strategies.${name}.redirectURLs: "${url}" is not an absolute http(s) URL without a fragment`,
      );
  return {
    name,
    passportStrategy,
    kind,
    credentials,
    issuer,
    userInfoURL,
    scope: typeof scope === 'string' ? scope.split(/[ ,]+/) : stringList(scope, `strategies.${name}.scope`),
    identifierAttribute,
    persist: persist.includes(identifierAttribute) ? persist : [identifierAttribute, ...persist],
    kuzzleAttributesMapping: mapping as Record<string, string>,
    stateTtlMs,
    linkTtlMs,
    redirectURLs,
  };
}

function isAbsoluteWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '' && url.username === '';
}

function invalid(message: string): Error {
  return tesseraError('plugin.assert.invalid_definition', 'auth-oauth', message);
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${what} must be a non-empty string`);
  return value;
}

function positiveNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw invalid(`${what} must be a positive number`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : requireString(value, what);
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === ''))
    throw invalid(`${what} must be a list of strings`);
  return [...(value as string[])];
}
