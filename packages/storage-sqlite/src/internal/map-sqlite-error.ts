/**
 * The one place SQLite's errors become catalog errors: constraint failures get their meaning back (taken id,
 * taken unique value); a database that cannot be written or read now (locked by another process past the busy
 * timeout, an I/O error, a full disk, a file turned read-only) is `services.storage.not_connected` (503: the
 * request may be retried, and the store recovers by itself once the cause is gone); anything else is an
 * unexpected storage error. Either way the original is kept as the cause, for the logs only.
 */
import type { CollectionRef } from '@tessera/store';
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import { parseIndexName } from './names';

// SQLite names the index of an expression in the message: "UNIQUE constraint failed: index '<name>'", and the
// columns of a column constraint: "UNIQUE constraint failed: <table>.id".
const UNIQUE_INDEX = /index '(.+)'$/;
const UNIQUE_ID = /\.id$/;
// Primary result codes (extended codes start with them, e.g. SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE).
const UNAVAILABLE_CODE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)(_|$)/;

export function mapSqliteError(error: unknown, ref?: CollectionRef): TesseraError {
  if (isTesseraError(error)) return error;
  if (isSqliteError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    if (UNIQUE_ID.test(error.message)) {
      return new TesseraError('services.storage.document_already_exists', [], { cause: error });
    }
    const indexName = UNIQUE_INDEX.exec(error.message)?.[1];
    const index = indexName === undefined ? undefined : parseIndexName(indexName);
    if (ref !== undefined && index?.kind === 'unique') {
      return new TesseraError('services.storage.unique_violation', [ref.collection, index.field], {
        cause: error,
      });
    }
  }
  if (isSqliteError(error) && UNAVAILABLE_CODE.test(error.code)) {
    return new TesseraError('services.storage.not_connected', [], { cause: error });
  }
  return new TesseraError('services.storage.unexpected_error', [], { cause: error });
}

/**
 * better-sqlite3's errors carry a `SQLITE_*` code. Recognised by shape, never `instanceof`: the native addon
 * keeps the first SqliteError class it was given, and under jest that class (and its `Error`) may come from
 * another realm than the code catching it.
 */
function isSqliteError(error: unknown): error is { code: string; message: string } {
  if (!hasMessage(error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function hasMessage(error: unknown): error is { message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
