/**
 * The limiter port: fixed-window counters, shared by every node that uses the same store. The login throttle,
 * the account lockout and the per-user request budget are counted with them; what a count means (a budget,
 * a lock) is the kernel's business, the store only counts.
 */

/** A key's count in its current window. */
export interface WindowState {
  readonly count: number;
  /** Milliseconds until the window closes (the count starts over). */
  readonly resetIn: number;
}

export interface WindowCounter {
  /** Adds one to `key`'s count, opening a window when none is open; resolves with the count after it. */
  add(key: string): Promise<WindowState>;
  /** The key's count, or null when no window is open. */
  peek(key: string): Promise<WindowState | null>;
  /** Opens a window of `ms` for `key`, holding `count`, in place of the current one (a lock, say). */
  hold(key: string, count: number, ms: number): Promise<void>;
  /** Closes the key's window; true when one was open. */
  reset(key: string): Promise<boolean>;
}

export interface CounterOptions {
  /**
   * When the shared store cannot be reached: `fail` (the default) rejects, `local` counts on this node alone
   * until it can (for budgets that must not turn into an outage of their own).
   */
  readonly whenUnavailable?: 'fail' | 'local';
}

export interface LimiterStore {
  /**
   * The counter `name` with windows of `windowMs` (whole seconds: rounded up). Every node asking for one name
   * counts together; ask once per name.
   */
  counter(name: string, windowMs: number, options?: CounterOptions): WindowCounter;
}
