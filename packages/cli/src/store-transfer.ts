/**
 * `store:export` and `store:import`: local commands, no server. They open the store the server's configuration
 * names (defaults, `.tesserarc` or TESSERA_CONFIG, `tessera_storage__*` variables, read as the server reads them)
 * and move it as JSON lines: export to stdout, import from a file or stdin. The kernel is loaded only for them.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError } from './cli-error';
import type { Io } from './run';

export async function storeTransfer(
  command: 'store:export' | 'store:import',
  positionals: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: Io,
): Promise<number> {
  const [file, ...rest] = positionals;
  if (rest.length > 0 || (command === 'store:export' && file !== undefined)) {
    throw new CliError(`unexpected argument "${command === 'store:export' ? file : rest[0]}"`);
  }
  const [{ loadConfig }, { createStore }, { exportStore, importStore }] = await Promise.all([
    import('@tessera/kernel'),
    import('@tessera/server'),
    import('@tessera/store'),
  ]);
  const adapter = await createStore(loadConfig({ cwd, env }).storage);
  await adapter.open();
  try {
    if (command === 'store:export') {
      const counts = await exportStore(adapter, (line) => io.stdout(`${line}\n`));
      io.stderr(`exported ${counts.collections} collections, ${counts.documents} documents\n`);
    } else {
      const input = file === undefined ? process.stdin : createReadStream(file);
      const counts = await importStore(adapter, createInterface({ input, crlfDelay: Infinity }));
      io.stderr(`imported ${counts.collections} collections, ${counts.documents} documents\n`);
    }
    return 0;
  } finally {
    await adapter.close();
  }
}
