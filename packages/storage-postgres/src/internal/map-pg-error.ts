/**
 * The one place PostgreSQL's errors become catalog errors: a lost or unreachable database is
 * `services.storage.not_connected` (503, the request may be retried), constraint failures get their meaning
 * back (taken id, taken unique value), anything else is an unexpected storage error keeping the original.
 */
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import type { CollectionRef, FieldPath } from '@tessera/store';

/** What a unique index guards, by index name: what a constraint error names. */
export type UniqueIndexes = ReadonlyMap<
  string,
  { readonly ref: CollectionRef; readonly field: FieldPath | null }
>;

const UNIQUE_VIOLATION = '23505';
// Class 08 (connection exception), 57P01-57P03 (the server shutting down or starting), 53300 (too many clients).
const UNAVAILABLE_CODE = /^(08|57P0[123]|53300)/;
const UNAVAILABLE_NODE_CODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// node-postgres reports these without a code.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended/i;
// statement_timeout fired (57014 is also a cancel, which only our own timeouts send).
const QUERY_CANCELED = '57014';

export function mapPgError(error: unknown, uniqueIndexes: UniqueIndexes): TesseraError {
  if (isTesseraError(error)) return error;
  const { code, constraint, message } = fieldsOf(error);
  if (code === UNIQUE_VIOLATION && constraint !== undefined) {
    const index = uniqueIndexes.get(constraint);
    if (index?.field === null)
      return new TesseraError('services.storage.document_already_exists', [], { cause: error });
    if (index !== undefined) {
      return new TesseraError('services.storage.unique_violation', [index.ref.collection, index.field], {
        cause: error,
      });
    }
  }
  // PostgreSQL's text cannot hold a NUL character (22021) nor jsonb its \u0000 escape (22P05): SQLite can, so it
  // is the client's input, not the store, that is at fault.
  if (code === '22021' || code === '22P05') {
    return new TesseraError(
      'api.assert.invalid_argument',
      ['a string', 'text without NUL (\\u0000) characters'],
      {
        cause: error,
      },
    );
  }
  if (isUnavailable(code, message)) {
    return new TesseraError('services.storage.not_connected', [], { cause: error });
  }
  return new TesseraError('services.storage.unexpected_error', [], { cause: error });
}

/** True for the errors that mean the database could not be reached or was lost, not that the query was wrong. */
export function isUnavailable(code: string | undefined, message: string): boolean {
  if (
    code !== undefined &&
    (UNAVAILABLE_CODE.test(code) || UNAVAILABLE_NODE_CODE.has(code) || code === QUERY_CANCELED)
  ) {
    return true;
  }
  return UNAVAILABLE_MESSAGE.test(message);
}

function fieldsOf(error: unknown): { code?: string; constraint?: string; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
    message: typeof message === 'string' ? message : 'unknown error',
  };
}
