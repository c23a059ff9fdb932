/**
 * LoginThrottle: limits login attempts per client address and per username (fixed windows), and locks a
 * username after too many consecutive failures. Usernames are counted whether or not an account has them, so
 * the answers never tell which accounts exist. State is per node and in memory: a cluster shares it through
 * its Redis store later.
 */
import { TesseraError } from '@tessera/plugin-sdk';
import type { LoginConfig } from '../config';

interface Window {
  count: number;
  resetAt: number;
}

interface Failures {
  count: number;
  lockedUntil: number;
}

/** Past this many tracked keys, expired entries are swept on the next check (bounded memory). */
const SWEEP_THRESHOLD = 10_000;

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly config: LoginConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one attempt. Throws `security.user.locked` (403) for a locked username, or
   * `api.process.too_many_logins_requests` (429) past a budget; both carry `retryAfter` seconds in `details`.
   */
  admit(address: string, username: string | null): void {
    const now = this.now();
    if (username !== null) {
      const lockedUntil = this.failures.get(username)?.lockedUntil ?? 0;
      if (lockedUntil > now) {
        const seconds = secondsUntil(lockedUntil, now);
        throw new TesseraError('security.user.locked', [seconds], { details: { retryAfter: seconds } });
      }
    }
    if (this.windows.size > SWEEP_THRESHOLD) this.sweep(now);
    this.spend(`address:${address}`, this.config.attemptsPerAddress, now);
    if (username !== null) this.spend(`username:${username}`, this.config.attemptsPerUsername, now);
  }

  /** A failed login: consecutive failures past `lockoutThreshold` lock the username for `lockoutDuration`. */
  failed(username: string | null): void {
    if (username === null || this.config.lockoutThreshold === 0) return;
    const entry = this.failures.get(username) ?? { count: 0, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= this.config.lockoutThreshold) {
      entry.lockedUntil = this.now() + this.config.lockoutDuration;
      entry.count = 0;
    }
    this.failures.set(username, entry);
  }

  succeeded(username: string | null): void {
    if (username !== null) this.failures.delete(username);
  }

  /** Lifts a lock and forgets the failures (an administrator's decision). True when there was something to lift. */
  unlock(username: string): boolean {
    return this.failures.delete(username);
  }

  private spend(key: string, limit: number, now: number): void {
    if (limit === 0) return;
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.config.window };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count > limit) {
      const seconds = secondsUntil(window.resetAt, now);
      throw new TesseraError('api.process.too_many_logins_requests', [], {
        details: { retryAfter: seconds },
      });
    }
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const [key, entry] of this.failures)
      if (entry.lockedUntil <= now && entry.count === 0) this.failures.delete(key);
  }
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
