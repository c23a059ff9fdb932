export type {
  CollectionRef,
  FieldPath,
  Scalar,
  Filter,
  SortField,
  SearchQuery,
  StoreAdapter,
} from './store-adapter';
export {
  parseSearch,
  parseFilter,
  parseBodyFilter,
  assertFieldPath,
  DEFAULT_SEARCH_LIMITS,
  FORBIDDEN_KEYS,
  type QueryLang,
  type SearchLimits,
} from './query-parser';
export { createStorageNamespace, validateNamespace, deepMerge } from './storage-namespace';
export { isPlainObject } from './is-plain-object';
