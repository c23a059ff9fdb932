/**
 * RequestRateLimiter: Kuzzle's per-user request budget. A user may run at most the `rateLimit` of their
 * profiles (the highest; 0 on any profile means unlimited) API requests per second, counted per kuid in a fixed
 * one-second window, in the LimiterStore the kernel is given (shared by every node of a cluster). All anonymous
 * callers share the kuid `-1` budget, as in Kuzzle. When a shared store cannot be reached, each node counts on
 * its own until it can: a budget must not turn an outage of the store into an outage of the API.
 */
import { TesseraError } from '@tessera/plugin-sdk';
import type { LimiterStore, WindowCounter } from '@tessera/cluster';

const WINDOW = 1000;

export class RequestRateLimiter {
  private readonly requests: WindowCounter;

  constructor(limiters: LimiterStore) {
    this.requests = limiters.counter('requests', WINDOW, { whenUnavailable: 'local' });
  }

  /** Counts one request; `api.process.too_many_requests` (429, `retryAfter` in `details`) past the budget. */
  async consume(kuid: string, rateLimit: number): Promise<void> {
    if (rateLimit <= 0) return;
    const { count } = await this.requests.add(kuid);
    if (count > rateLimit) {
      throw new TesseraError('api.process.too_many_requests', [], { details: { retryAfter: 1 } });
    }
  }
}
