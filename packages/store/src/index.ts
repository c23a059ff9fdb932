export type {
  CollectionRef,
  CollectionSchema,
  FieldPath,
  NewDocument,
  Scalar,
  Filter,
  SortField,
  SearchQuery,
  SearchPage,
  StoreAdapter,
  WriteCondition,
} from './store-adapter';
export {
  parseSearch,
  parseFilter,
  parseBodyFilter,
  assertFieldPath,
  DEFAULT_SEARCH_LIMITS,
  FORBIDDEN_KEYS,
  QUERY_LIMITS,
  type QueryLang,
  type SearchLimits,
} from './query-parser';
export { createStorageNamespace, validateNamespace, deepMerge } from './storage-namespace';
export { isPlainObject } from './is-plain-object';
export { scanDocuments, findAll } from './scan-documents';
export { foldBalanced } from './fold-balanced';
export { compileRegexp, cachedRegexpCompiler, type RegexpMatcher } from './regexp-matcher';
export { exportStore, importStore, STORE_EXPORT_FORMAT, type TransferCounts } from './store-transfer';
export { StoreConnection, type StoreConnectionOptions } from './store-connection';
