/**
 * What `npm start` says about its configuration before anything else: one line per source it read (defaults,
 * which rc file, which environment variables), and a warning for what it ignores that looks meant (a second rc
 * file beside the first, an upper-case TESSERA_*__* variable).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { startServer, type RunningServer } from '@tessera/server';
import { createRecordingLogger, type LogLine } from '@tessera/testing';

let folder: string;
let server: RunningServer | undefined;

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'tessera-boot-'));
});
afterEach(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

it('names each configuration source at boot, and warns of what it ignores', async () => {
  writeFileSync(path.join(folder, '.tesserarc'), "{ server: { host: '127.0.0.1', port: 0 } }");
  writeFileSync(path.join(folder, '.tesserarc.json'), '{ "server": { "port": 7999 } }');
  const lines: LogLine[] = [];
  server = await startServer({
    cwd: folder,
    env: { tessera_storage__sqlite__path: path.join(folder, 'tessera.db'), TESSERA_SERVER__PORT: '7600' },
    log: createRecordingLogger(lines),
  });
  const configuration = lines
    .filter((line) => line.message.startsWith('configuration: '))
    .map((line) => `${line.level} ${line.message}`);
  expect(configuration).toEqual([
    'info configuration: defaults',
    `info configuration: file ${path.join(folder, '.tesserarc')}`,
    'info configuration: environment tessera_storage__sqlite__path',
    `warn configuration: ${path.join(folder, '.tesserarc')} is read; .tesserarc.json beside it is ignored`,
    "warn configuration: TESSERA_SERVER__PORT is ignored: configuration variables are tessera_ in lower case, then the key's path spelled as the key is (tessera_server__port, tessera_security__jwt__expiresIn)",
  ]);
  expect(lines.findIndex((line) => line.message.startsWith('configuration: '))).toBe(0);
  expect(server.port).not.toBe(7600);
});
