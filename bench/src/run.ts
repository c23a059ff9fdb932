/**
 * `npm run bench [-- --quick] [-- --only=login,now,token,expiry,memory,start-up,subscribe,two-nodes,
 *   store-scale,store-scale-postgres,fanout,revocation,mixed]`: measures the hot paths of
 * the built server (run `npm run build` first) against their physical baselines, measured in the same run on
 * the same machine; prints a Markdown table and writes the figures to bench/results/.
 */
import { existsSync } from 'node:fs';
import { authEventsFanoutFigures } from './figures/auth-events-fanout';
import { authenticatedRequestFigures } from './figures/authenticated-requests';
import { expiryFigures } from './figures/expiry-notifications';
import { loginFigures } from './figures/login';
import { memoryFigures } from './figures/memory';
import { mixedWorkloadFigures } from './figures/mixed-workload';
import { revocationPushFigures } from './figures/revocation-push';
import { startUpFigures } from './figures/start-up';
import { storeScalePostgresFigures, storeScaleSqliteFigures } from './figures/store-scale';
import { subscribeFigures } from './figures/subscribe';
import { tokenCheckFigures } from './figures/token-check';
import { twoNodeFigures } from './figures/two-nodes';
import { modeOf, type Mode } from './mode';
import { SERVER_ENTRY } from './processes';
import { formatTable, writeResults, type Figure } from './report';

const GROUPS: ReadonlyArray<readonly [string, (mode: Mode) => Promise<Figure[]>]> = [
  ['login', loginFigures],
  ['now', authenticatedRequestFigures],
  ['token', tokenCheckFigures],
  ['expiry', expiryFigures],
  ['memory', memoryFigures],
  ['start-up', startUpFigures],
  ['subscribe', subscribeFigures],
  ['two-nodes', twoNodeFigures],
  ['store-scale', storeScaleSqliteFigures],
  ['store-scale-postgres', storeScalePostgresFigures],
  ['fanout', authEventsFanoutFigures],
  ['revocation', revocationPushFigures],
  ['mixed', mixedWorkloadFigures],
];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const unknown = only?.filter((name) => !GROUPS.some(([group]) => group === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown group(s) ${unknown.join(', ')}\n`);
    return 2;
  }
  if (!existsSync(SERVER_ENTRY)) {
    process.stderr.write(`bench: ${SERVER_ENTRY} is missing: run \`npm run build\` first\n`);
    return 2;
  }
  const mode = modeOf(quick);
  const startedAt = new Date();
  const figures: Figure[] = [];
  let failed = 0;
  for (const [name, measure] of GROUPS) {
    if (only && !only.includes(name)) continue;
    const started = performance.now();
    process.stderr.write(`bench: ${name}...`);
    try {
      figures.push(...(await measure(mode)));
      process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed++;
      process.stderr.write(
        ` failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
  }
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  process.stdout.write(`\n${formatTable(figures)}\n\n`);
  const file = writeResults(figures, { quick, startedAt, seconds });
  process.stdout.write(
    `${quick ? 'Quick run' : 'Full run'} in ${Math.round(seconds)} s; figures in ${file}\n`,
  );
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${String(error)}\n`);
    process.exit(1);
  },
);
