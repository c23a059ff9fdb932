/**
 * LoginThrottle: limits login attempts per client address and per username (fixed windows), and locks a
 * username after too many consecutive failures. Usernames are counted whether or not an account has them, so
 * the answers never tell which accounts exist. The counts live in the LimiterStore the kernel is given: this
 * node's memory, or Redis, where every node of a cluster meets the same budgets and the same locks.
 */
import { formatDuration, TesseraError } from '@tessera/plugin-sdk';
import type { LimiterStore, WindowCounter } from '@tessera/cluster';
import type { LoginConfig } from '../config';

export class LoginThrottle {
  private readonly addresses: WindowCounter;
  private readonly usernames: WindowCounter;
  /** Consecutive failures per username, forgotten `lockoutDuration` after the first of them. */
  private readonly failures: WindowCounter;
  /** A lock is a window of `lockoutDuration` holding one count. */
  private readonly locks: WindowCounter;

  constructor(
    private readonly config: LoginConfig,
    limiters: LimiterStore,
  ) {
    this.addresses = limiters.counter('login:address', config.window);
    this.usernames = limiters.counter('login:username', config.window);
    this.failures = limiters.counter('login:failures', config.lockoutDuration);
    this.locks = limiters.counter('login:lock', config.lockoutDuration);
  }

  /**
   * Counts one attempt. Rejects with `security.user.locked` (403) for a locked username, or
   * `api.process.too_many_logins_requests` (429) past a budget; both carry `retryAfter` seconds in `details`.
   */
  async admit(address: string, username: string | null): Promise<void> {
    if (username !== null) {
      const lock = await this.locks.peek(username);
      if (lock !== null) {
        const seconds = secondsOf(lock.resetIn);
        throw new TesseraError('security.user.locked', [seconds], { details: { retryAfter: seconds } });
      }
    }
    const window = formatDuration(this.config.window, true);
    await spend(this.addresses, address, this.config.attemptsPerAddress, 'from this address', window);
    if (username !== null) {
      await spend(this.usernames, username, this.config.attemptsPerUsername, 'for this username', window);
    }
  }

  /** A failed login: `lockoutThreshold` consecutive failures lock the username for `lockoutDuration`. */
  async failed(username: string | null): Promise<void> {
    if (username === null || this.config.lockoutThreshold === 0) return;
    const { count } = await this.failures.add(username);
    if (count < this.config.lockoutThreshold) return;
    await this.locks.hold(username, 1, this.config.lockoutDuration);
    await this.failures.reset(username);
  }

  async succeeded(username: string | null): Promise<void> {
    if (username !== null) await this.failures.reset(username);
  }

  /** Lifts a lock and forgets the failures (an administrator's decision). True when there was something to lift. */
  async unlock(username: string): Promise<boolean> {
    const [locked, failed] = await Promise.all([this.locks.reset(username), this.failures.reset(username)]);
    return locked || failed;
  }
}

/**
 * Counts one attempt on `key`; past `limit` (0: no limit), the 429. Its message names the budget, its window
 * and the seconds until the window ends: kuzzle-sdk keeps only the message of an error, not its `retryAfter`.
 */
async function spend(
  counter: WindowCounter,
  key: string,
  limit: number,
  whose: string,
  window: string,
): Promise<void> {
  if (limit === 0) return;
  const { count, resetIn } = await counter.add(key);
  if (count > limit) {
    const seconds = secondsOf(resetIn);
    throw new TesseraError('api.process.too_many_logins_requests', [whose, limit, window, seconds], {
      details: { retryAfter: seconds },
    });
  }
}

function secondsOf(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
