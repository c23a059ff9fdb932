export type {
  CollectionRef,
  FieldPath,
  Scalar,
  Filter,
  SortField,
  SearchQuery,
  StoreAdapter,
} from './storage/store-adapter';
