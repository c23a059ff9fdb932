/**
 * How long and how big. The machine may be shared: every throughput figure alternates short phases of Tessera
 * and of its baseline, `rounds` times, reports the median of each side, and bounds the median of the rounds'
 * ratios (see report.ts), so a burst of outside load hits both alike. The phases are short (1.5 s, a few
 * thousand requests; 1 s with `--quick`): the full run must stay under 10 minutes with the 5-minute mixed
 * workload in it, and more rounds of short phases resist a drifting load better than a few long ones.
 * `--quick` keeps every figure with fewer rounds, smaller stores and fewer tokens.
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
    rounds: quick ? 2 : 5,
    phaseSeconds: quick ? 1 : 1.5,
    warmupSeconds: quick ? 0.5 : 1.5,
    otherTokens: quick ? 20_000 : 1_000_000,
    cores: cpus().length,
  };
}

/**
 * Runs `tessera` and `baseline` alternately, `mode.rounds` times each; returns both lists of results, round by
 * round. Tessera goes first in even rounds and second in odd ones: when the load of a shared machine drifts
 * during a figure (it did, by a factor of 5 over one), always measuring the same side first hands the other
 * the better half of every round.
 */
export async function alternate<R>(
  mode: Mode,
  tessera: () => Promise<R>,
  baseline: () => Promise<R>,
): Promise<{ tessera: R[]; baseline: R[] }> {
  const results = { tessera: [] as R[], baseline: [] as R[] };
  for (let round = 0; round < mode.rounds; round++) {
    if (round % 2 === 0) {
      results.tessera.push(await tessera());
      results.baseline.push(await baseline());
    } else {
      results.baseline.push(await baseline());
      results.tessera.push(await tessera());
    }
  }
  return results;
}
