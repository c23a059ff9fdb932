export { SqliteStore, createSqliteStore, type SqliteStoreOptions } from './sqlite-store';
