import { LoginThrottle } from '../../src/security/login-throttle';

const config = {
  attemptsPerAddress: 3,
  attemptsPerUsername: 2,
  window: 60_000,
  lockoutThreshold: 3,
  lockoutDuration: 900_000,
};

function throttle(overrides: Partial<typeof config> = {}) {
  let now = 1_000_000;
  const instance = new LoginThrottle({ ...config, ...overrides }, () => now);
  return { instance, advance: (ms: number) => (now += ms) };
}

describe('login throttle', () => {
  it('refuses past the per-address budget with 429 and a Retry-After', () => {
    const { instance, advance } = throttle({ attemptsPerUsername: 0 });
    for (let i = 0; i < 3; i++) instance.admit('1.2.3.4', `user${i}`);
    advance(15_000);
    expect(() => instance.admit('1.2.3.4', 'other')).toThrow(
      expect.objectContaining({
        id: 'api.process.too_many_logins_requests',
        status: 429,
        details: { retryAfter: 45 },
      }),
    );
    expect(() => instance.admit('5.6.7.8', 'other')).not.toThrow();
  });

  it('refuses past the per-username budget whatever the address, known user or not', () => {
    const { instance } = throttle({ attemptsPerAddress: 0 });
    instance.admit('1.1.1.1', 'ghost');
    instance.admit('2.2.2.2', 'ghost');
    expect(() => instance.admit('3.3.3.3', 'ghost')).toThrow(
      expect.objectContaining({ id: 'api.process.too_many_logins_requests' }),
    );
  });

  it('opens a new window once the previous one is over', () => {
    const { instance, advance } = throttle({ attemptsPerUsername: 0 });
    for (let i = 0; i < 3; i++) instance.admit('1.2.3.4', null);
    advance(60_000);
    expect(() => instance.admit('1.2.3.4', null)).not.toThrow();
  });

  it('locks a username after consecutive failures, until the delay passes or an admin unlocks it', () => {
    const { instance, advance } = throttle({ attemptsPerAddress: 0, attemptsPerUsername: 0 });
    instance.failed('my');
    instance.failed('my');
    instance.succeeded('my');
    instance.failed('my');
    instance.failed('my');
    expect(() => instance.admit('a', 'my')).not.toThrow();
    instance.failed('my');
    expect(() => instance.admit('a', 'my')).toThrow(
      expect.objectContaining({ id: 'security.user.locked', status: 403, details: { retryAfter: 900 } }),
    );
    advance(900_000);
    expect(() => instance.admit('a', 'my')).not.toThrow();
    for (let i = 0; i < 3; i++) instance.failed('my');
    expect(instance.unlock('my')).toBe(true);
    expect(() => instance.admit('a', 'my')).not.toThrow();
  });

  it('never locks when the threshold is 0', () => {
    const { instance } = throttle({ attemptsPerAddress: 0, attemptsPerUsername: 0, lockoutThreshold: 0 });
    for (let i = 0; i < 50; i++) instance.failed('my');
    expect(() => instance.admit('a', 'my')).not.toThrow();
  });
});
