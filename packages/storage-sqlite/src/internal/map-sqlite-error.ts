/**
 * The one place SQLite's errors become catalog errors: constraint failures get their meaning back (taken id,
 * taken unique value), anything else is an unexpected storage error that keeps the original as its cause.
 */
import type { CollectionRef } from '@tessera/kernel';
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import { uniqueIndexField } from './names';

// SQLite names the index in the message: "UNIQUE constraint failed: index '<name>'".
const UNIQUE_INDEX = /index '(.+)'$/;

export function mapSqliteError(error: unknown, ref?: CollectionRef): TesseraError {
  if (isTesseraError(error)) return error;
  if (isSqliteError(error)) {
    if (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return new TesseraError('services.storage.document_already_exists', [], { cause: error });
    }
    const indexName = UNIQUE_INDEX.exec(error.message)?.[1];
    const field = indexName === undefined ? undefined : uniqueIndexField(indexName);
    if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' && ref !== undefined && field !== undefined) {
      return new TesseraError('services.storage.unique_violation', [ref.collection, field], { cause: error });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TesseraError('services.storage.unexpected_error', [message], { cause: error });
}

/**
 * better-sqlite3's errors carry a `SQLITE_*` code. Recognised by shape, not `instanceof`: the native addon keeps
 * the first SqliteError class it was given, which is not ours when the module is loaded twice (jest does).
 */
function isSqliteError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return typeof error.code === 'string' && error.code.startsWith('SQLITE_');
}
