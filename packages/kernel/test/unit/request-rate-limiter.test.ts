import { RequestRateLimiter } from '../../src/security/request-rate-limiter';

describe('request rate limiter', () => {
  it('allows rateLimit requests per second per kuid, then answers 429 until the next second', () => {
    let now = 5_000;
    const limiter = new RequestRateLimiter(() => now);
    limiter.consume('my', 2);
    limiter.consume('my', 2);
    expect(() => limiter.consume('my', 2)).toThrow(
      expect.objectContaining({
        id: 'api.process.too_many_requests',
        status: 429,
        details: { retryAfter: 1 },
      }),
    );
    expect(() => limiter.consume('other', 2)).not.toThrow();
    now += 1000;
    expect(() => limiter.consume('my', 2)).not.toThrow();
  });

  it('never limits a rateLimit of 0', () => {
    const limiter = new RequestRateLimiter();
    for (let i = 0; i < 1000; i++) limiter.consume('admin', 0);
  });
});
