/**
 * RequestRateLimiter: Kuzzle's per-user request budget. A user may run at most the `rateLimit` of their
 * profiles (the highest; 0 on any profile means unlimited) API requests per second, counted per kuid in a fixed
 * one-second window on this node. All anonymous callers share the kuid `-1` budget, as in Kuzzle.
 */
import { TesseraError } from '@tessera/plugin-sdk';

const WINDOW = 1000;
/** Past this many tracked users, finished windows are swept on the next call (bounded memory). */
const SWEEP_THRESHOLD = 10_000;

export class RequestRateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request; `api.process.too_many_requests` (429, `retryAfter` in `details`) past the budget. */
  consume(kuid: string, rateLimit: number): void {
    if (rateLimit <= 0) return;
    const now = this.now();
    if (this.windows.size > SWEEP_THRESHOLD) {
      for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    }
    let window = this.windows.get(kuid);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + WINDOW };
      this.windows.set(kuid, window);
    }
    if (++window.count > rateLimit) {
      throw new TesseraError('api.process.too_many_requests', [], { details: { retryAfter: 1 } });
    }
  }
}
