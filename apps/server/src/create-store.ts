/**
 * Picks the Store adapter named by `storage.engine`, loading that engine's package alone: a node on SQLite
 * never loads the PostgreSQL and MongoDB drivers (loading MongoDB's took about a tenth of a start).
 */
import type { TesseraConfig } from '@tessera/kernel';
import type { StoreAdapter } from '@tessera/store';
import { tesseraError } from '@tessera/plugin-sdk';

export async function createStore(storage: TesseraConfig['storage']): Promise<StoreAdapter> {
  switch (storage.engine) {
    case 'sqlite': {
      const { createSqliteStore } = await import('@tessera/storage-sqlite');
      return createSqliteStore({ path: storage.sqlite.path, busyTimeoutMs: storage.sqlite.busyTimeout });
    }
    case 'postgres': {
      const { url, schema, poolSize, connectionTimeout, statementTimeout } = storage.postgres;
      if (url === null) {
        throw tesseraError(
          'core.config.invalid_value',
          'storage.postgres.url',
          'a postgres:// URL, as storage.engine is "postgres"',
        );
      }
      const { createPostgresStore } = await import('@tessera/storage-postgres');
      return createPostgresStore({
        url,
        schema,
        poolSize,
        connectionTimeoutMs: connectionTimeout,
        statementTimeoutMs: statementTimeout,
      });
    }
    case 'mongodb': {
      const { url, database, poolSize, connectionTimeout, operationTimeout } = storage.mongodb;
      if (url === null) {
        throw tesseraError(
          'core.config.invalid_value',
          'storage.mongodb.url',
          'a mongodb:// URL, as storage.engine is "mongodb"',
        );
      }
      const { createMongoStore } = await import('@tessera/storage-mongodb');
      return createMongoStore({
        url,
        ...(database === null ? {} : { database }),
        poolSize,
        connectionTimeoutMs: connectionTimeout,
        operationTimeoutMs: operationTimeout,
      });
    }
  }
}
