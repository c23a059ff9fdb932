/**
 * The plugin's setup in the context the kernel gives it (createPluginTestContext): one strategy per configured
 * provider, owned by the plugin; a login without a code starts the browser flow at the provider, with a state
 * kept in the plugin's own storage; and a wrong setting stops the setup, naming the key.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createAuthOauthPlugin } from '@tessera/plugin-auth-oauth';
import { createPluginTestContext, wireError, type PluginTestContext } from '@tessera/testing';

const START = Date.UTC(2030, 0, 1);

/** A plain OAuth 2.0 provider: nothing is fetched at setup (an OpenID issuer would be discovered). */
const provider = (overrides: Record<string, unknown> = {}) => ({
  strategies: {
    partner: {
      passportStrategy: 'oauth2',
      credentials: {
        clientID: 'tessera-client',
        clientSecret: 'client-secret-v8Zq',
        callbackURL: 'https://auth.example.test/_login/partner',
        authorizationURL: 'https://partner.example.test/authorize',
        tokenURL: 'https://partner.example.test/token',
      },
      userInfoURL: 'https://partner.example.test/me',
      scope: ['profile'],
      ...overrides,
    },
  },
});

let test: PluginTestContext | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

describe('auth-oauth setup', () => {
  it('registers one strategy per provider, owned by the plugin, which starts the flow at the provider', async () => {
    test = await createPluginTestContext({ name: 'auth-oauth', config: provider() });
    await test.setup(createAuthOauthPlugin({ now: () => START }));

    expect(test.strategies.all().map(({ name, owner }) => ({ name, owner }))).toEqual([
      { name: 'partner', owner: 'auth-oauth' },
    ]);
    const outcome = await test.login('partner', {});
    expect(outcome).toMatchObject({ kind: 'redirect', status: 302 });
    const url = new URL(outcome.kind === 'redirect' ? outcome.url : '');
    expect(`${url.origin}${url.pathname}`).toBe('https://partner.example.test/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'tessera-client',
      redirect_uri: 'https://auth.example.test/_login/partner',
      scope: 'profile',
      state: expect.stringMatching(/.{16,}/),
    });
    // The state the callback will be checked against lives in the plugin's own namespace.
    const states = await (await test.storage.collection('login-states')).search({}, { size: 10 });
    expect(states.hits.map((hit) => ({ _id: hit._id, expiresAt: hit._source['expiresAt'] }))).toEqual([
      { _id: url.searchParams.get('state'), expiresAt: expect.any(Number) },
    ]);
  });

  it('stops the setup on a wrong setting, naming the key', async () => {
    test = await createPluginTestContext({
      name: 'auth-oauth',
      config: provider({ userInfoURL: 42 }),
      store: 'memory',
    });
    const plugin = createAuthOauthPlugin({ now: () => START });
    expect(await wireError(test.setup(plugin))).toMatchObject({
      status: 500,
      id: 'core.config.invalid_value',
      message: expect.stringContaining('"plugins.auth-oauth.strategies.partner.userInfoURL"'),
    });
    expect(test.strategies.all()).toEqual([]);
  });
});
