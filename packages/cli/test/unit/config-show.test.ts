/**
 * `tessera config:show`: the configuration a server started in a folder would read, secrets masked, with its
 * sources and the warnings an operator needs (two rc files, an upper-case variable that is ignored).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { run } from '../../src/run';

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'tessera-config-show-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

async function configShow(env: NodeJS.ProcessEnv, args: string[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await run(
    ['config:show', ...args],
    env,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    },
    folder,
  );
  return { code, stdout, stderr };
}

describe('tessera config:show', () => {
  it('shows the effective configuration, its sources, and masks the secrets', async () => {
    writeFileSync(
      path.join(folder, '.tesserarc'),
      "{ server: { port: 7600 }, storage: { engine: 'postgres', postgres: { url: 'postgres://app:pg-secret@db/tessera' } } }",
    );
    const outcome = await configShow({
      tessera_security__jwt__secret: '"jwt-secret-value"',
      tessera_security__jwt__expiresIn: '30m',
    });
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    const shown = JSON.parse(outcome.stdout) as {
      sources: string[];
      warnings: string[];
      config: { server: { port: number }; security: { jwt: { secret: string; expiresIn: string } } };
    };
    expect(shown.sources).toEqual([
      'defaults',
      `file ${path.join(folder, '.tesserarc')}`,
      'environment tessera_security__jwt__expiresIn, tessera_security__jwt__secret',
    ]);
    expect(shown.warnings).toEqual([]);
    expect(shown.config.server.port).toBe(7600);
    expect(shown.config.security.jwt).toMatchObject({ secret: '[redacted]', expiresIn: '30m' });
    expect(outcome.stdout).not.toMatch(/jwt-secret-value|pg-secret/);
  });

  it('warns of a second rc file and of an upper-case configuration variable, which are ignored', async () => {
    writeFileSync(path.join(folder, '.tesserarc'), '{ server: { port: 7600 } }');
    writeFileSync(path.join(folder, '.tesserarc.json5'), '{ server: { port: 7700 } }');
    const outcome = await configShow({ TESSERA_SERVER__PORT: '7800', TESSERA_HOST: 'localhost' });
    const shown = JSON.parse(outcome.stdout) as { warnings: string[]; config: { server: { port: number } } };
    expect(shown.config.server.port).toBe(7600);
    expect(shown.warnings).toEqual([
      `${path.join(folder, '.tesserarc')} is read; .tesserarc.json5 beside it is ignored`,
      "TESSERA_SERVER__PORT is ignored: configuration variables are tessera_ in lower case, then the key's path spelled as the key is (tessera_server__port, tessera_security__jwt__expiresIn)",
    ]);
  });

  it('reads the folder --dir names, and reports a bad key as one error line', async () => {
    mkdirSync(path.join(folder, 'app'));
    writeFileSync(path.join(folder, 'app', '.tesserarc'), '{ server: { prot: 1 } }');
    const outcome = await configShow({}, ['--dir', 'app']);
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: 'tessera: core.config.unknown_key: Unknown configuration key "server.prot".\n',
    });
  });
});
