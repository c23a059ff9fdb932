/**
 * How long and how big. The machine may be shared: every throughput figure alternates short phases of Tessera
 * and of its baseline, `rounds` times, and keeps the median of each side, so a burst of outside load hits both
 * alike. `--quick` keeps every figure but shortens the phases and seeds fewer tokens.
 */
import { cpus } from 'node:os';

export interface Mode {
  readonly quick: boolean;
  /** Measured phases per side. */
  readonly rounds: number;
  /** Seconds of each measured phase. */
  readonly phaseSeconds: number;
  /** Seconds of load before the first phase, not counted (JIT, caches, keep-alive sockets). */
  readonly warmupSeconds: number;
  /** Live tokens in the store under the expiry figure. */
  readonly otherTokens: number;
  readonly cores: number;
}

export function modeOf(quick: boolean): Mode {
  return {
    quick,
    rounds: quick ? 3 : 5,
    phaseSeconds: quick ? 1.5 : 4,
    warmupSeconds: quick ? 1 : 2,
    otherTokens: quick ? 10_000 : 100_000,
    cores: cpus().length,
  };
}

/** Runs `tessera` and `baseline` alternately, `mode.rounds` times each; returns both lists of results. */
export async function alternate<R>(
  mode: Mode,
  tessera: () => Promise<R>,
  baseline: () => Promise<R>,
): Promise<{ tessera: R[]; baseline: R[] }> {
  const results = { tessera: [] as R[], baseline: [] as R[] };
  for (let round = 0; round < mode.rounds; round++) {
    results.tessera.push(await tessera());
    results.baseline.push(await baseline());
  }
  return results;
}
