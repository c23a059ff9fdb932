/**
 * The one place SQLite's errors become catalog errors: constraint failures get their meaning back (taken id,
 * taken unique value), anything else is an unexpected storage error that keeps the original as its cause.
 */
import type { CollectionRef } from '@tessera/store';
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import { parseIndexName } from './names';

// SQLite names the index of an expression in the message: "UNIQUE constraint failed: index '<name>'", and the
// columns of a column constraint: "UNIQUE constraint failed: <table>.id".
const UNIQUE_INDEX = /index '(.+)'$/;
const UNIQUE_ID = /\.id$/;

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
  const message = hasMessage(error) ? error.message : String(error);
  return new TesseraError('services.storage.unexpected_error', [message], { cause: error });
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
