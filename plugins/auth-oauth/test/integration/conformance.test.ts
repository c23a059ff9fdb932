/**
 * An OAuth strategy runs the strategy conformance suite. Its credentials are links between a provider identity
 * and a user (`{identity}`), which an administrator's API creates, reads, changes and deletes without the
 * provider; a user links their own only through a sign-in at the provider (`ownCredentialsBySignIn`). Logging in
 * needs the provider (oauth.test.ts runs that against a real one); the wrong login here is a callback with a
 * forged `state` and `code`, which the strategy must refuse before it ever calls the provider, so the
 * provider's endpoints point at a closed port.
 */
import { join } from 'node:path';
import { describeStrategyConformance } from '@tessera/testing';

const CLIENT_SECRET = 'conformance-client-secret-7Hq2';
// Port 9 (discard) is closed on loopback: a strategy that called the provider would fail, not hang.
const NOWHERE = 'http://127.0.0.1:9';

describeStrategyConformance({
  strategy: 'oauth',
  plugin: { dir: join(__dirname, '..', '..') },
  overrides: {
    plugins: {
      'auth-oauth': {
        strategies: {
          oauth: {
            passportStrategy: 'oauth2',
            credentials: {
              clientID: 'conformance',
              clientSecret: CLIENT_SECRET,
              callbackURL: 'http://127.0.0.1/_login/oauth',
              authorizationURL: `${NOWHERE}/authorize`,
              tokenURL: `${NOWHERE}/token`,
            },
            userInfoURL: `${NOWHERE}/userinfo`,
            identifierAttribute: 'sub',
          },
        },
        defaultProfiles: ['default'],
      },
    },
  },
  credentials: (n) => ({ identity: `identity-${n}` }),
  update: (n) => ({ identity: `identity-${n}-renamed` }),
  invalidCredentials: [{}, { identity: '' }, { identity: { nested: true } }],
  wrongLogin: (n) => ({ args: { code: `forged-code-${n}`, state: `forged-state-${n}-forged-state-forged` } }),
  secrets: () => [CLIENT_SECRET],
  ownCredentialsBySignIn: true,
});
