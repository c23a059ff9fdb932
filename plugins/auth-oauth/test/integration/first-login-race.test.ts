/**
 * Two first logins of one identity, interleaved deterministically: the other login creates its user and link
 * exactly between this login's "is this identity linked?" read and its own user creation. The kernel and the
 * stores are real; only the timing is arranged, by running the other login inside that read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PassportRequest, PluginContext, StrategyDefinition } from '@tessera/plugin-sdk';
import { definePlugin } from '@tessera/plugin-sdk';
import { resolvePluginConfig } from '@tessera/kernel';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { authOauthConfigSchema } from '../../src/config';
import { IdentityStore } from '../../src/identity-store';
import { LinkTickets } from '../../src/link-tickets';
import { createOauthStrategy } from '../../src/oauth-strategy';
import { StateStore } from '../../src/state-store';

const configured = {
  strategies: {
    oidc: {
      passportStrategy: 'oidc',
      issuer: 'https://sso.example.test',
      credentials: { clientID: 'id', clientSecret: 'secret', callbackURL: 'http://127.0.0.1/_login/oidc' },
      kuzzleAttributesMapping: { name: 'displayName' },
    },
  },
};

describe('two first logins of one identity, the other one landing in between', () => {
  let tessera: TestKernel;
  let strategy: StrategyDefinition;
  let ctx: PluginContext;
  let otherKuid: string | null = null;

  beforeAll(async () => {
    const settings = (await resolvePluginConfig('auth-oauth', authOauthConfigSchema, configured))
      .strategies[0];
    if (settings === undefined) throw new Error('no strategy settings');
    tessera = await startTestKernel({
      plugins: [
        {
          manifest: { name: 'auth-oauth', version: '0.1.0', kernel: '>=0.1.0 <1', main: 'inline' },
          definition: definePlugin({
            async setup(context) {
              ctx = context;
              const identities = await IdentityStore.open(context.storage, 'oidc', Date.now);
              const findByIdentity = identities.findByIdentity.bind(identities);
              // The other login runs to its end inside this login's first read of the link.
              let raced = false;
              identities.findByIdentity = async (identity) => {
                const found = await findByIdentity(identity);
                if (!raced) {
                  raced = true;
                  otherKuid = await context.accounts.createUser({
                    profileIds: ['default'],
                    content: { displayName: 'The other login' },
                    credentials: { oidc: { identity } },
                  });
                }
                return found;
              };
              const states = await StateStore.open(context.storage, Date.now);
              const tickets = await LinkTickets.open(context.storage, Date.now);
              strategy = createOauthStrategy(settings, {
                provider: { authenticator: class {} as never, endpoints: {} },
                store: identities,
                states: states.forStrategy('oidc', 'http://127.0.0.1/_login/oidc', 60_000, tickets),
                tickets,
                ctx: context,
                defaultProfiles: ['default'],
              });
              context.strategies.register('oidc', strategy);
            },
          }),
        },
      ],
    });
  });

  afterAll(async () => {
    await tessera?.stop();
  });

  it("logs in as the other login's user, and rolls its own user back", async () => {
    const profile = { _json: { sub: 'race', name: 'This login' } };
    const passportRequest = { original: {} } as PassportRequest;
    const result = await strategy.methods.verify(
      passportRequest,
      ...(['access', 'refresh', profile] as never[]),
    );

    expect(otherKuid).not.toBeNull();
    expect(result).toEqual({ kuid: otherKuid });
    expect(await ctx.identity.describe(otherKuid ?? '')).not.toBeNull();
    const response = await fetch(`${tessera.url}/users/_search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: { match_all: {} } }),
    });
    const { result: found } = (await response.json()) as { result: { hits: { _id: string }[] } };
    // Only the other login's user exists: this login's user was rolled back with its refused link.
    expect(found.hits.map((hit) => hit._id)).toEqual([otherKuid]);
  });
});
