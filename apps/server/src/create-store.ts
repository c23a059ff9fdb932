/** Picks the Store adapter named by `storage.engine`. */
import type { TesseraConfig } from '@tessera/kernel';
import type { StoreAdapter } from '@tessera/store';
import { tesseraError } from '@tessera/plugin-sdk';
import { createMongoStore } from '@tessera/storage-mongodb';
import { createPostgresStore } from '@tessera/storage-postgres';
import { createSqliteStore } from '@tessera/storage-sqlite';

export function createStore(storage: TesseraConfig['storage']): StoreAdapter {
  switch (storage.engine) {
    case 'sqlite':
      return createSqliteStore({ path: storage.sqlite.path, busyTimeoutMs: storage.sqlite.busyTimeout });
    case 'postgres': {
      const { url, schema, poolSize, connectionTimeout, statementTimeout } = storage.postgres;
      if (url === null) {
        throw tesseraError(
          'core.config.invalid_value',
          'storage.postgres.url',
          'a postgres:// URL, as storage.engine is "postgres"',
        );
      }
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
