/**
 * `tessera config:show`: the configuration a server started here would run with (the same rc file, the same
 * environment), every secret masked as `server:getConfig` masks it, with the sources it came from and what
 * looks like a mistake. Local: no server is asked.
 */
import path from 'node:path';

export const CONFIG_SHOW_USAGE = `Usage: tessera config:show [--dir <folder>]

Prints, as JSON, the configuration a server started in <folder> (the current one by default) would read: the
defaults, then the rc file (TESSERA_CONFIG, or the nearest .tesserarc[.json|.json5] from <folder> upwards), then
the tessera_* environment variables. Secrets are masked. "sources" says which were used, "warnings" what is
probably a mistake (two rc files side by side, an upper-case TESSERA_*__* variable, which is ignored).
`;

export async function showConfig(cwd: string, env: NodeJS.ProcessEnv, dir?: string): Promise<string> {
  // Loaded on demand: the other commands need none of the kernel.
  const { describeConfigSource, loadConfigWithSources, maskedConfig } = await import('@tessera/kernel');
  const loaded = loadConfigWithSources({ cwd: dir === undefined ? cwd : path.resolve(cwd, dir), env });
  const shown = {
    sources: loaded.sources.map(describeConfigSource),
    warnings: loaded.warnings,
    config: maskedConfig(loaded.config),
  };
  return `${JSON.stringify(shown, null, 2)}\n`;
}
