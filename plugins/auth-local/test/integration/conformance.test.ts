/**
 * The local strategy runs the strategy conformance suite, loaded from its folder as a server loads it.
 */
import { join } from 'node:path';
import { describeStrategyConformance } from '@tessera/testing';

const password = (n: number) => `first-secret-${n}-Zq8`;
const newPassword = (n: number) => `second-secret-${n}-Kw3`;

describeStrategyConformance({
  strategy: 'local',
  plugin: { dir: join(__dirname, '..', '..') },
  // bcrypt's minimum cost keeps the suite fast.
  overrides: { plugins: { 'auth-local': { bcryptCost: 4 } } },
  credentials: (n) => ({ username: `user-${n}`, password: password(n) }),
  update: (n) => ({ password: newPassword(n) }),
  invalidCredentials: [
    {},
    { username: 'no-password' },
    { password: 'no-username-Zq8' },
    { username: 42, password: 'not-a-string-name' },
    { username: 'kuid-given', password: 'kuid-given-Zq8', kuid: 'someone' },
  ],
  wrongLogin: (n) => ({ body: { username: `user-${n}`, password: `wrong-secret-${n}-Zq8` } }),
  login: (n, state) => ({
    body: { username: `user-${n}`, password: state === 'created' ? password(n) : newPassword(n) },
  }),
  secrets: (n) => [password(n), newPassword(n), `wrong-secret-${n}-Zq8`],
});
