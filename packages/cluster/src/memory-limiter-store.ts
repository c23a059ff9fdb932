/** The one-node LimiterStore: counters in this process's memory (rate-limiter-flexible's RateLimiterMemory). */
import type { LimiterStore, WindowCounter } from './limiter-store';
import { counterOver, memoryLimiter } from './rate-limiter-counter';

export function createMemoryLimiterStore(): LimiterStore {
  // By name: whoever asks for a name counts with the others who did, as on a shared store.
  const counters = new Map<string, WindowCounter>();
  return {
    counter(name, windowMs) {
      let counter = counters.get(name);
      if (!counter) counters.set(name, (counter = counterOver(memoryLimiter(name, windowMs))));
      return counter;
    },
  };
}
