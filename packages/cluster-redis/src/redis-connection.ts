/**
 * How this package talks to Redis: the ioredis connections it opens, and what a failed command becomes.
 *
 * Commands are never queued while Redis is away (`enableOfflineQueue: false`): a node that cannot reach the
 * shared state answers at once with `services.cluster.not_connected` (503) instead of holding requests, and
 * ioredis keeps reconnecting in the background, so the node recovers by itself.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: string;
  /**
   * Prefix of every key and channel name this node uses, so several deployments (or tests) share one Redis
   * without meeting. Default `tessera:`.
   */
  readonly prefix?: string;
  /** Milliseconds to wait for a connection or a command before calling Redis unreachable. Default 5000. */
  readonly connectTimeout?: number;
}

export const DEFAULT_PREFIX = 'tessera:';

/** The longest pause between two reconnection attempts. */
const MAX_RECONNECT_DELAY = 2000;

/** A new connection, not yet open: `await connection.connect()` opens it (and rejects if it cannot). */
export function openRedis(options: RedisConnectionOptions, extra: RedisOptions = {}): Redis {
  const timeout = options.connectTimeout ?? 5000;
  return new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: timeout,
    commandTimeout: timeout,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY),
    ...extra,
  });
}

/** `url` with its password replaced by `***`: for messages and logs. */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable Redis URL)';
  }
}

/** Runs a Redis command; any failure of Redis itself becomes `services.cluster.not_connected` (503). */
export async function command<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw new TesseraError('services.cluster.not_connected', [], { cause: error });
  }
}
