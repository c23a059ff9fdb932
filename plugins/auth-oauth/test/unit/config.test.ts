/**
 * Settings checked at boot: the front-end redirect allow-list (only absolute http(s) URLs, with no fragment and
 * no user info, can ever be redirected to) and the lifetime of link URLs.
 */
import { describe, expect, it } from '@jest/globals';
import { resolvePluginConfig } from '@tessera/kernel';
import { authOauthConfigSchema } from '../../src/config';

/** The settings the plugin gets, checked as the kernel checks them at boot. */
const readSettings = (config: unknown) => resolvePluginConfig('auth-oauth', authOauthConfigSchema, config);

const withRedirects = (redirectURLs: unknown) => ({
  strategies: {
    sso: {
      passportStrategy: 'oidc',
      issuer: 'https://sso.example.com',
      credentials: {
        clientID: 'id',
        clientSecret: 'secret',
        callbackURL: 'https://auth.example.com/_login/sso',
      },
      redirectURLs,
    },
  },
});

describe('strategies.<name>.redirectURLs', () => {
  it('defaults to none, and keeps absolute http(s) URLs as written', async () => {
    expect((await readSettings(withRedirects(undefined))).strategies[0]?.redirectURLs).toEqual([]);
    const urls = ['https://app.example.com/welcome', 'http://localhost:5173/'];
    expect((await readSettings(withRedirects(urls))).strategies[0]?.redirectURLs).toEqual(urls);
  });

  it.each([
    ['a relative path', '/welcome'],
    ['a scheme-relative URL', '//evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a fragment', 'https://app.example.com/#/welcome'],
    ['user info', 'https://app.example.com@evil.example/'],
  ])('refuses %s, naming the URL', async (_what, url) => {
    await expect(readSettings(withRedirects([url]))).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: [
        'plugins.auth-oauth.strategies.sso.redirectURLs[0]',
        `expected an absolute http(s) URL without a fragment, got ${JSON.stringify(url)}`,
      ],
    });
  });

  it('refuses a value that is not a list of strings', async () => {
    await expect(readSettings(withRedirects('https://app.example.com/'))).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: [
        'plugins.auth-oauth.strategies.sso.redirectURLs',
        expect.stringContaining('expected a list of strings'),
      ],
    });
  });
});

describe('strategies.<name>.linkTtlMs', () => {
  const withLinkTtl = (linkTtlMs: unknown) => ({
    strategies: { sso: { ...withRedirects([]).strategies.sso, linkTtlMs } },
  });

  it('defaults to two minutes, and keeps a positive number of milliseconds', async () => {
    expect((await readSettings(withLinkTtl(undefined))).strategies[0]?.linkTtlMs).toBe(120_000);
    expect((await readSettings(withLinkTtl(30_000))).strategies[0]?.linkTtlMs).toBe(30_000);
  });

  it.each([0, -1, '120000'])('refuses %p', async (linkTtlMs) => {
    await expect(readSettings(withLinkTtl(linkTtlMs))).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: [
        'plugins.auth-oauth.strategies.sso.linkTtlMs',
        expect.stringContaining('expected a positive number'),
      ],
    });
  });
});

describe('the strategies and their kind', () => {
  const oidc = withRedirects([]).strategies.sso;

  it('fills in the defaults of an OpenID strategy: identifier "sub", scope "openid", the default profile', async () => {
    const settings = await readSettings({ strategies: { sso: oidc } });
    expect(settings).toMatchObject({ defaultProfiles: ['default'], deprecated: [] });
    expect(settings.strategies[0]).toMatchObject({
      name: 'sso',
      kind: 'oidc',
      issuer: 'https://sso.example.com',
      identifierAttribute: 'sub',
      scope: ['openid'],
      persist: ['sub'],
      stateTtlMs: 600_000,
    });
  });

  it("accepts Kuzzle's spellings defaultProfile and credentials.callbackUrl, and lists them as deprecated", async () => {
    const { callbackURL, ...credentials } = oidc.credentials;
    const settings = await readSettings({
      defaultProfile: 'customer',
      strategies: { sso: { ...oidc, credentials: { ...credentials, callbackUrl: callbackURL } } },
    });
    expect(settings.defaultProfiles).toEqual(['customer']);
    expect(settings.strategies[0]?.credentials).toMatchObject({ callbackURL });
    expect(settings.strategies[0]?.credentials).not.toHaveProperty('callbackUrl');
    expect(settings.deprecated).toEqual([
      '"defaultProfile" is deprecated, use "defaultProfiles"',
      'strategies.sso.credentials.callbackUrl is deprecated, use callbackURL',
    ]);
  });

  it.each([
    [
      'an OAuth 2.0 strategy without its endpoints',
      { passportStrategy: 'oauth2' },
      'credentials.authorizationURL',
    ],
    ['an OpenID strategy without its issuer', { issuer: undefined }, 'issuer'],
    ['a strategy without a client secret', { credentials: { clientID: 'id' } }, 'credentials.clientSecret'],
    [
      'a mapping onto profileIds',
      { kuzzleAttributesMapping: { groups: 'profileIds' } },
      'kuzzleAttributesMapping.groups',
    ],
    ['a renamed identifier', { kuzzleAttributesMapping: { sub: 'subject' } }, 'kuzzleAttributesMapping.sub'],
  ])('refuses %s, naming the key', async (_what, change, key) => {
    await expect(readSettings({ strategies: { sso: { ...oidc, ...change } } })).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: [`plugins.auth-oauth.strategies.sso.${key}`, expect.stringMatching(/^expected /)],
    });
  });

  it('refuses a strategy name that is not lower-case', async () => {
    await expect(readSettings({ strategies: { SSO: oidc } })).rejects.toMatchObject({
      id: 'core.config.invalid_value',
      props: ['plugins.auth-oauth.strategies.SSO', expect.stringContaining('a strategy name matching')],
    });
  });
});
