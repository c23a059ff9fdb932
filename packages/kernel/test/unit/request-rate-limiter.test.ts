import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createMemoryLimiterStore } from '@tessera/cluster';
import { RequestRateLimiter } from '../../src/security/request-rate-limiter';

beforeEach(() => {
  jest.useFakeTimers({ now: 5_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('request rate limiter', () => {
  it('allows rateLimit requests per second per kuid, then answers 429 until the next second', async () => {
    const limiter = new RequestRateLimiter(createMemoryLimiterStore());
    await limiter.consume('my', 2);
    await limiter.consume('my', 2);
    await expect(limiter.consume('my', 2)).rejects.toMatchObject({
      id: 'api.process.too_many_requests',
      status: 429,
      details: { retryAfter: 1 },
    });
    await expect(limiter.consume('other', 2)).resolves.toBeUndefined();
    jest.advanceTimersByTime(1000);
    await expect(limiter.consume('my', 2)).resolves.toBeUndefined();
  });

  it('never limits a rateLimit of 0', async () => {
    const limiter = new RequestRateLimiter(createMemoryLimiterStore());
    for (let i = 0; i < 1000; i++) await limiter.consume('admin', 0);
  });
});
