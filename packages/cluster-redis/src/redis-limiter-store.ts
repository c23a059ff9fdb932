/**
 * The LimiterStore on Redis: rate-limiter-flexible's RateLimiterRedis counts every window (one atomic
 * increment-with-expiry per attempt), so the login budgets, the lockout and `unlockLogins` are the same on
 * every node. When Redis cannot be reached, a counter either fails (`services.cluster.not_connected`, 503: a
 * login budget must not silently become one per node) or, when asked (`whenUnavailable: 'local'`, the request
 * budgets), counts in this node's memory until Redis is back.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import {
  counterOver,
  memoryLimiter,
  UNLIMITED_POINTS,
  windowSeconds,
  type LimiterStore,
  type WindowCounter,
} from '@tessera/cluster';
import { command, DEFAULT_PREFIX } from './redis-connection';

export interface RedisLimiterStoreOptions {
  readonly redis: Redis;
  /** Default `tessera:`. */
  readonly prefix?: string;
}

export function createRedisLimiterStore(options: RedisLimiterStoreOptions): LimiterStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  return {
    counter(name, windowMs, { whenUnavailable = 'fail' } = {}) {
      const shared = unavailableAs503(
        counterOver(
          new RateLimiterRedis({
            storeClient: options.redis,
            keyPrefix: `${prefix}limiter:${name}`,
            points: UNLIMITED_POINTS,
            duration: windowSeconds(windowMs),
            rejectIfRedisNotReady: true,
          }),
        ),
      );
      if (whenUnavailable === 'fail') return shared;
      return withFallback(shared, counterOver(memoryLimiter(name, windowMs)));
    },
  };
}

function unavailableAs503(counter: WindowCounter): WindowCounter {
  return {
    add: (key) => command(() => counter.add(key)),
    peek: (key) => command(() => counter.peek(key)),
    hold: (key, count, ms) => command(() => counter.hold(key, count, ms)),
    reset: (key) => command(() => counter.reset(key)),
  };
}

/** `shared` while it answers; `local` for each call it cannot. */
function withFallback(shared: WindowCounter, local: WindowCounter): WindowCounter {
  return {
    add: (key) => shared.add(key).catch(() => local.add(key)),
    peek: (key) => shared.peek(key).catch(() => local.peek(key)),
    hold: (key, count, ms) => shared.hold(key, count, ms).catch(() => local.hold(key, count, ms)),
    reset: (key) => shared.reset(key).catch(() => local.reset(key)),
  };
}
