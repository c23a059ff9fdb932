/**
 * Which nodes may hold cached entries, as Redis knows them: the sorted set `<prefix>nodes`, each node's id
 * scored with the Redis time (ms) at which its membership lapses.
 *
 * Why the bus needs it: PUBLISH counts only the nodes subscribed at that moment. A node whose subscription is
 * cut is not counted, yet it keeps serving what it cached before the cut until each entry's lifetime ends
 * (`stalenessBound` after its read). A writer that waited only for the counted nodes could answer a
 * revocation while such a node still accepts the token. So every node renews its membership while it hears
 * the others, and a `publish` also waits for every member that did not acknowledge, up to the bound.
 *
 * The lapse: a node renews every `renewEvery` ms while fresh, each time to `stalenessBound + 2 * renewEvery`
 * ahead. It was last fresh at most `renewEvery` after its last renewal (a missed renewal aside), and its
 * entries die `stalenessBound` after that; so its membership outlives them. A node that stops for good stops
 * renewing; a graceful close leaves at once, a crash lapses by itself (until then, writes wait the bound).
 * Times are Redis's own (TIME in the scripts), so the nodes' clocks need not agree.
 */
import type { Redis } from 'ioredis';
import { command } from './redis-connection';

export interface RedisMembershipOptions {
  /** The command connection the scripts run on. */
  readonly redis: Redis;
  readonly prefix: string;
  readonly nodeId: string;
  /** Milliseconds; see ClusterBus.stalenessBound. */
  readonly stalenessBound: number;
}

export interface RedisMembership {
  /** Milliseconds between two renewals while the node is fresh. */
  readonly renewEvery: number;
  /** Adds (or renews) this node, lapsing `stalenessBound + 2 * renewEvery` from now. */
  renew(): Promise<void>;
  /** Removes this node at once: it caches nothing any more. */
  leave(): Promise<void>;
  /** PUBLISHes `message` on `channel`; answers how many subscribers got it and the current members' ids. */
  publish(channel: string, message: string): Promise<{ receivers: number; members: string[] }>;
}

/** Redis time in ms, then the members whose membership lapsed are dropped. */
const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;

/** KEYS: members. ARGV: node id, ms to lapse. The set itself goes with its last member, never before. */
const RENEW = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 1`;

/** KEYS: members. ARGV: channel, message. Both answers in one step, so no member joins between them. */
const PUBLISH = `${NOW}
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
return { redis.call('PUBLISH', ARGV[1], ARGV[2]), members }`;

/** Renewals stay frequent enough for short bounds, without hammering Redis for long ones. */
const MIN_RENEW_EVERY = 50;

export function createRedisMembership(options: RedisMembershipOptions): RedisMembership {
  const { redis, nodeId, stalenessBound } = options;
  const key = `${options.prefix}nodes`;
  const renewEvery = Math.max(MIN_RENEW_EVERY, Math.floor(stalenessBound / 4));
  const lapse = stalenessBound + 2 * renewEvery;
  return {
    renewEvery,
    async renew() {
      await command(() => redis.eval(RENEW, 1, key, nodeId, lapse));
    },
    async leave() {
      await command(() => redis.zrem(key, nodeId));
    },
    async publish(channel, message) {
      const [receivers, members] = (await command(() => redis.eval(PUBLISH, 1, key, channel, message))) as [
        number,
        string[],
      ];
      return { receivers, members };
    },
  };
}
