/**
 * The kernel's login throttle keys on `claimedUsername`; passport-local, this plugin's authenticator, decides
 * which username is checked. Both must name the same account for every shape of login request, or a locked
 * account could be tried under another key.
 */
import { Strategy as PassportLocalStrategy } from 'passport-local';
import {
  StrategyRegistry,
  authenticate,
  claimedUsername,
  passportRequestOf,
  requestFromEnvelope,
} from '@tessera/kernel';
import type { PassportStrategyConstructor, StrategyMethods } from '@tessera/plugin-sdk';

function registerLocal(seen: unknown[], strategyOptions: Record<string, unknown> = {}) {
  const registry = new StrategyRegistry();
  const refuse = () => Promise.reject(new Error('not used'));
  const methods = {
    verify: (_request: unknown, username: unknown) => {
      seen.push(username);
      return Promise.resolve({ kuid: null, message: 'wrong username or password' });
    },
    exists: refuse,
    validate: refuse,
    create: refuse,
    update: refuse,
    delete: refuse,
  } as unknown as StrategyMethods;
  registry.registrarFor('auth-local').register('local', {
    authenticator: PassportLocalStrategy as unknown as PassportStrategyConstructor,
    strategyOptions,
    methods,
  });
  return registry.get('local');
}

const FRAMES: Record<string, unknown>[] = [
  { body: { username: 'alice', password: 'x' } },
  { username: 'alice', password: 'x' },
  { body: { username: 'alice', password: 'x' }, username: 'bob' },
  { body: { username: '', password: 'x' }, username: 'alice' },
  { body: { username: { $ne: null }, password: 'x' }, username: 'alice' },
  { body: { username: 0 }, username: 'alice', password: 'x' },
  { body: { password: 'x' }, username: 'alice' },
  { body: { username: 42, password: 'x' } },
];

describe('the throttle key is the username passport-local authenticates', () => {
  it.each(FRAMES.map((frame) => [JSON.stringify(frame), frame]))('for %s', async (_shown, frame) => {
    const seen: unknown[] = [];
    const strategy = registerLocal(seen);
    const request = requestFromEnvelope(
      { controller: 'auth', action: 'login', strategy: 'local', ...frame },
      { id: 'c', protocol: 'websocket', address: null, ips: [], headers: {} },
    );
    const attempt = passportRequestOf(strategy, request);
    await authenticate(strategy, attempt);
    expect(seen).toHaveLength(1);
    expect(claimedUsername(strategy, attempt)).toBe(String(seen[0]));
  });

  it('with a usernameField of its own', async () => {
    const seen: unknown[] = [];
    const strategy = registerLocal(seen, { usernameField: 'email' });
    const request = requestFromEnvelope(
      {
        controller: 'auth',
        action: 'login',
        strategy: 'local',
        body: { email: '', password: 'x' },
        email: 'a@b.c',
      },
      { id: 'c', protocol: 'websocket', address: null, ips: [], headers: {} },
    );
    const attempt = passportRequestOf(strategy, request);
    await authenticate(strategy, attempt);
    expect(seen).toEqual(['a@b.c']);
    expect(claimedUsername(strategy, attempt)).toBe('a@b.c');
  });
});
