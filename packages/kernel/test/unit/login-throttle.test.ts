import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createMemoryLimiterStore } from '@tessera/cluster';
import { LoginThrottle } from '../../src/security/login-throttle';

const config = {
  attemptsPerAddress: 3,
  attemptsPerUsername: 2,
  window: 60_000,
  lockoutThreshold: 3,
  lockoutDuration: 900_000,
};

// The counters' windows run on the clock: a fake one, moved by the tests.
beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

function throttle(overrides: Partial<typeof config> = {}) {
  return new LoginThrottle({ ...config, ...overrides }, createMemoryLimiterStore());
}

describe('login throttle', () => {
  it('refuses past the per-address budget with 429 and a Retry-After', async () => {
    const instance = throttle({ attemptsPerUsername: 0 });
    for (let i = 0; i < 3; i++) await instance.admit('1.2.3.4', `user${i}`);
    jest.advanceTimersByTime(15_000);
    await expect(instance.admit('1.2.3.4', 'other')).rejects.toMatchObject({
      id: 'api.process.too_many_logins_requests',
      status: 429,
      details: { retryAfter: 45 },
      message:
        'Rejected: too many login attempts from this address (at most 3 per minute); retry in 45 seconds.',
    });
    await expect(instance.admit('5.6.7.8', 'other')).resolves.toBeUndefined();
  });

  it('refuses past the per-username budget whatever the address, known user or not', async () => {
    const instance = throttle({ attemptsPerAddress: 0 });
    await instance.admit('1.1.1.1', 'ghost');
    await instance.admit('2.2.2.2', 'ghost');
    await expect(instance.admit('3.3.3.3', 'ghost')).rejects.toMatchObject({
      id: 'api.process.too_many_logins_requests',
      message:
        'Rejected: too many login attempts for this username (at most 2 per minute); retry in 60 seconds.',
    });
  });

  it('opens a new window once the previous one is over', async () => {
    const instance = throttle({ attemptsPerUsername: 0 });
    for (let i = 0; i < 3; i++) await instance.admit('1.2.3.4', null);
    await expect(instance.admit('1.2.3.4', null)).rejects.toMatchObject({ status: 429 });
    jest.advanceTimersByTime(60_000);
    await expect(instance.admit('1.2.3.4', null)).resolves.toBeUndefined();
  });

  it('locks a username after consecutive failures, until the delay passes or an admin unlocks it', async () => {
    const instance = throttle({ attemptsPerAddress: 0, attemptsPerUsername: 0 });
    await instance.failed('my');
    await instance.failed('my');
    await instance.succeeded('my');
    await instance.failed('my');
    await instance.failed('my');
    await expect(instance.admit('a', 'my')).resolves.toBeUndefined();
    await instance.failed('my');
    await expect(instance.admit('a', 'my')).rejects.toMatchObject({
      id: 'security.user.locked',
      status: 403,
      details: { retryAfter: 900 },
    });
    jest.advanceTimersByTime(900_000);
    await expect(instance.admit('a', 'my')).resolves.toBeUndefined();
    for (let i = 0; i < 3; i++) await instance.failed('my');
    await expect(instance.unlock('my')).resolves.toBe(true);
    await expect(instance.admit('a', 'my')).resolves.toBeUndefined();
    await expect(instance.unlock('my')).resolves.toBe(false);
  });

  it('forgets failures lockoutDuration after the first of them', async () => {
    const instance = throttle({ attemptsPerAddress: 0, attemptsPerUsername: 0 });
    await instance.failed('my');
    await instance.failed('my');
    jest.advanceTimersByTime(900_000);
    await instance.failed('my');
    await expect(instance.admit('a', 'my')).resolves.toBeUndefined();
  });

  it('never locks when the threshold is 0', async () => {
    const instance = throttle({ attemptsPerAddress: 0, attemptsPerUsername: 0, lockoutThreshold: 0 });
    for (let i = 0; i < 50; i++) await instance.failed('my');
    await expect(instance.admit('a', 'my')).resolves.toBeUndefined();
  });

  it('counts in the limiter store it is given: two throttles on one store share budgets and locks', async () => {
    const shared = createMemoryLimiterStore();
    const [a, b] = [new LoginThrottle(config, shared), new LoginThrottle(config, shared)];
    await a.admit('1.1.1.1', 'my');
    await b.admit('2.2.2.2', 'my');
    await expect(a.admit('3.3.3.3', 'my')).rejects.toMatchObject({ status: 429 });
    for (const node of [a, b, a]) await node.failed('locked');
    await expect(b.admit('4.4.4.4', 'locked')).rejects.toMatchObject({ id: 'security.user.locked' });
    await expect(a.unlock('locked')).resolves.toBe(true);
    await expect(b.admit('4.4.4.4', 'locked')).resolves.toBeUndefined();
  });
});
