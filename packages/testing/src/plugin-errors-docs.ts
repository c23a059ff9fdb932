/**
 * Keeps a plugin's own errors and their table in a Markdown file in step: the table sits between
 * `<!-- plugin-errors:<plugin>:begin -->` and `<!-- plugin-errors:<plugin>:end -->`.
 * `UPDATE_ERROR_DOCS=1` rewrites it after a change.
 */
import { expect } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import type { PluginErrors } from '@tessera/plugin-sdk';

export function expectPluginErrorsDocumented(errors: PluginErrors, docsPath: string): void {
  const begin = `<!-- plugin-errors:${errors.plugin}:begin -->`;
  const end = `<!-- plugin-errors:${errors.plugin}:end -->`;
  const rows = Object.entries(errors.specs).map(([name, spec]) => {
    const code = ((0x04 << 24) | (errors.subdomain << 16) | spec.code) >>> 0;
    const message = spec.message.replace(/\|/g, '\\|');
    return `| \`plugin.${errors.plugin}.${name}\` | \`0x${code.toString(16).padStart(8, '0')}\` | ${spec.status} | ${message} |`;
  });
  const expected = [begin, '| id | code | status | message |', '|---|---|---|---|', ...rows, end].join('\n');
  const docs = readFileSync(docsPath, 'utf8');
  const start = docs.indexOf(begin);
  const stop = docs.indexOf(end);
  if (process.env.UPDATE_ERROR_DOCS === '1') {
    const next =
      start >= 0 && stop > start
        ? docs.slice(0, start) + expected + docs.slice(stop + end.length)
        : `${docs.trimEnd()}\n\n${expected}\n`;
    writeFileSync(docsPath, next);
    return;
  }
  expect(start).toBeGreaterThanOrEqual(0);
  expect(docs.slice(start, stop + end.length)).toBe(expected);
}
