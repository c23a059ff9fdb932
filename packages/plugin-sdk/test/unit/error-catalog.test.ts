/**
 * The catalog is the contract clients code against: ids and codes must be unique, codes must encode their
 * domain, and docs/errors.md must list every entry exactly. `UPDATE_ERROR_DOCS=1 npx jest error-catalog`
 * rewrites the table after a catalog change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError, errorCatalog, tesseraError, type ErrorId } from '@tessera/plugin-sdk';

const docsPath = join(__dirname, '../../../../docs/errors.md');
const BEGIN = '<!-- catalog:begin -->';
const END = '<!-- catalog:end -->';

function renderTable(): string {
  const rows = Object.entries(errorCatalog).map(
    ([id, spec]) =>
      `| \`${id}\` | \`0x${spec.code.toString(16).padStart(8, '0')}\` | ${spec.status} | ${spec.message.replace(/\|/g, '\\|')} |`,
  );
  return ['| id | code | status | message |', '|---|---|---|---|', ...rows].join('\n');
}

describe('error catalog', () => {
  const entries = Object.entries(errorCatalog);

  it('has unique codes', () => {
    const codes = entries.map(([, spec]) => spec.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('encodes each id domain in its code (Kuzzle domains: core 0, services 1, api 2, network 3, plugin 4, security 7)', () => {
    const domains: Record<string, number> = {
      core: 0,
      services: 1,
      api: 2,
      network: 3,
      plugin: 4,
      security: 7,
    };
    for (const [id, spec] of entries) {
      const [domain] = id.split('.');
      expect({ id, domain: spec.code >>> 24 }).toEqual({ id, domain: domains[domain!] });
    }
  });

  it('is listed entry by entry in docs/errors.md', () => {
    const docs = readFileSync(docsPath, 'utf8');
    const start = docs.indexOf(BEGIN);
    const end = docs.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    const expected = `${BEGIN}\n${renderTable()}\n${END}`;
    if (process.env.UPDATE_ERROR_DOCS === '1') {
      writeFileSync(docsPath, docs.slice(0, start) + expected + docs.slice(end + END.length));
      return;
    }
    expect(docs.slice(start, end + END.length)).toBe(expected);
  });

  it('fills placeholders in order and serialises without a stack', () => {
    const error = tesseraError('security.rights.forbidden', 'auth', 'login', 'my');
    expect(error.message).toBe('Insufficient permissions to execute the action "auth:login" (User "my").');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      status: 403,
      id: 'security.rights.forbidden',
      code: 0x07030002,
      message: error.message,
      props: ['auth', 'login', 'my'],
    });
  });

  it('keeps the original error as cause', () => {
    const cause = new Error('boom');
    const id: ErrorId = 'core.runtime.unexpected_error';
    expect(new TesseraError(id, ['r1'], { cause }).cause).toBe(cause);
  });
});
