/**
 * A WindowCounter over one of rate-limiter-flexible's limiters (memory, Redis...): the library keeps the
 * windows (one atomic increment-with-expiry per `add` on Redis); this only translates. Its limiters refuse past
 * a number of points; ours never do (the caller compares the count with a budget that may differ per key), so
 * counting goes through `penalty`, which adds without refusing.
 */
import { RateLimiterMemory, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { WindowCounter, WindowState } from './limiter-store';

/** Points of a window: never reached, so the library never blocks a key on its own. */
export const UNLIMITED_POINTS = Number.MAX_SAFE_INTEGER;

/** rate-limiter-flexible counts in whole seconds. */
export function windowSeconds(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / 1000));
}

export function counterOver(limiter: RateLimiterAbstract): WindowCounter {
  return {
    add: async (key) => stateOf(await limiter.penalty(key, 1)),
    async peek(key) {
      const res = await limiter.get(key);
      return res === null ? null : stateOf(res);
    },
    async hold(key, count, ms) {
      await limiter.set(key, count, windowSeconds(ms));
    },
    reset: (key) => limiter.delete(key),
  };
}

/** A memory limiter of `name`, for one node (and as the fallback of a shared one). */
export function memoryLimiter(name: string, windowMs: number): RateLimiterMemory {
  return new RateLimiterMemory({
    keyPrefix: name,
    points: UNLIMITED_POINTS,
    duration: windowSeconds(windowMs),
  });
}

function stateOf(res: RateLimiterRes): WindowState {
  return { count: res.consumedPoints, resetIn: Math.max(0, res.msBeforeNext) };
}
