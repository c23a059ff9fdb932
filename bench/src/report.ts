/** What a figure is, and how the run reports them: a Markdown table on stdout, a JSON file in bench/results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './processes';
import { median, megabytes, round } from './stats';

export interface Goal {
  /** What the goal bounds: the ratio to the baseline, or the figure itself. */
  readonly on: 'ratio' | 'value';
  readonly op: '>=' | '<=';
  readonly limit: number;
}

export interface Figure {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number;
  readonly baselineLabel: string;
  /** null when the figure has no physical baseline of its own (a goal in absolute terms). */
  readonly baseline: number | null;
  /** value / baseline; for a figure measured in paired rounds, the median of the rounds' own ratios. */
  readonly ratio: number | null;
  /** Paired rounds only: each round's Tessera result over its baseline result. */
  readonly roundRatios?: readonly number[];
  /** Absent: reported for information, no goal. */
  readonly goal?: Goal;
  readonly met?: boolean;
  /** How it was measured: counts, durations, settings. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Results of alternating rounds (mode's `alternate`), one per round on each side, paired by index. */
export interface Rounds {
  readonly tessera: readonly number[];
  readonly baseline: readonly number[];
}

/** A figure's value, baseline and ratio from paired rounds: the median of each side, and `rounds` for the ratio. */
export function paired(rounds: Rounds): { value: number; baseline: number; rounds: Rounds } {
  return { value: median(rounds.tessera), baseline: median(rounds.baseline), rounds };
}

/**
 * With `rounds`, the ratio is the median of each round's ratio rather than the ratio of the two sides' medians:
 * the two phases of a round run seconds apart, so a shared machine's speed drifting over the figure moves both
 * alike and cancels in their ratio, where it would spread each side's results and move their medians apart.
 */
export function figure(input: Omit<Figure, 'ratio' | 'met' | 'roundRatios'> & { rounds?: Rounds }): Figure {
  const { rounds, ...rest } = input;
  const roundRatios = rounds?.tessera.map((value, i) => value / rounds.baseline[i]!);
  const ratio =
    roundRatios !== undefined
      ? median(roundRatios)
      : input.baseline === null || input.baseline === 0
        ? null
        : input.value / input.baseline;
  const measured = input.goal?.on === 'ratio' ? ratio : input.value;
  const met =
    input.goal === undefined || measured === null
      ? undefined
      : input.goal.op === '>='
        ? measured >= input.goal.limit
        : measured <= input.goal.limit;
  return {
    ...rest,
    value: round(input.value),
    baseline: input.baseline && round(input.baseline),
    ratio: ratio === null ? null : round(ratio),
    ...(roundRatios === undefined ? {} : { roundRatios: roundRatios.map((r) => round(r)) }),
    met,
  };
}

export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    `${f.value} ${f.unit}`,
    f.baseline === null ? f.baselineLabel : `${f.baseline} ${f.unit} (${f.baselineLabel})`,
    f.ratio === null ? '-' : String(f.ratio),
    f.goal === undefined ? '-' : `${f.goal.on} ${f.goal.op} ${f.goal.limit}`,
    f.met === undefined ? '-' : f.met ? 'yes' : '**no**',
  ]);
  const header = ['Figure', 'Tessera', 'Baseline', 'Ratio', 'Goal', 'Met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function machine(): Record<string, unknown> {
  const cores = cpus();
  return {
    node: process.version,
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryMB: Math.round(megabytes(totalmem())),
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Writes `bench/results/<timestamp>.json` (quick runs: `<timestamp>-quick.tmp.json`, which git ignores). */
export function writeResults(
  figures: readonly Figure[],
  options: { quick: boolean; startedAt: Date; seconds: number },
): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = options.startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const file = join(dir, options.quick ? `${stamp}-quick.tmp.json` : `${stamp}.json`);
  const content = {
    startedAt: options.startedAt.toISOString(),
    mode: options.quick ? 'quick' : 'full',
    durationSeconds: Math.round(options.seconds),
    machine: machine(),
    figures,
  };
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}
