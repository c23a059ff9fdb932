export { MongoStore, createMongoStore, maskUrl, collectionName, type MongoStoreOptions } from './mongo-store';
export { compileFilter, compileSearch } from './internal/compile-query';
