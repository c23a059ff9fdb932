export { PostgresStore, createPostgresStore, maskUrl, type PostgresStoreOptions } from './postgres-store';
