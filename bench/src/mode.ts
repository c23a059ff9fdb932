/** How long and how big: `--quick` keeps every figure but shortens the load phases and the token seeding. */
import { cpus } from 'node:os';

export interface Mode {
  readonly quick: boolean;
  /** Seconds of each measured load phase. */
  readonly loadSeconds: number;
  /** Seconds of load before each measured phase, not counted (JIT, caches, keep-alive sockets). */
  readonly warmupSeconds: number;
  /** Live tokens in the store under the expiry figure. */
  readonly otherTokens: number;
  readonly cores: number;
}

export function modeOf(quick: boolean): Mode {
  return {
    quick,
    loadSeconds: quick ? 3 : 10,
    warmupSeconds: quick ? 1 : 2,
    otherTokens: quick ? 10_000 : 100_000,
    cores: cpus().length,
  };
}
