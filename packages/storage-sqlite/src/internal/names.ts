/**
 * How Tessera's names become SQLite's: one table per (namespace, collection), one unique index per unique
 * field (named so a constraint error tells which field it was), and JSON paths for `json_each`/`json_extract`.
 */
import { assertFieldPath, type CollectionRef, type FieldPath } from '@tessera/store';
import { identifier, sql, type Sql } from './sql';

// Namespaces (`kernel`, `plugin:<name>`) and collection names never contain a slash, so names cannot collide.
const SEPARATOR = '/';
const UNIQUE_MARKER = '/unique/';

export function tableName(ref: CollectionRef): string {
  return `${ref.namespace}${SEPARATOR}${ref.collection}`;
}

export function table(ref: CollectionRef): Sql {
  return identifier(tableName(ref));
}

/**
 * The table as queries read it, aliased `doc`: compiled conditions say `doc.id` and `doc.body`, because inside
 * their json_each subqueries a bare `id` would name json_each's own `id` column.
 */
export function documents(ref: CollectionRef): Sql {
  return sql`${table(ref)} AS doc`;
}

export function uniqueIndexName(ref: CollectionRef, field: FieldPath): string {
  return `${tableName(ref)}${UNIQUE_MARKER}${field}`;
}

/** The field a unique index named by uniqueIndexName guards, or undefined for any other index. */
export function uniqueIndexField(indexName: string): FieldPath | undefined {
  const at = indexName.lastIndexOf(UNIQUE_MARKER);
  return at < 0 ? undefined : indexName.slice(at + UNIQUE_MARKER.length);
}

/** `a.b` -> `$."a"."b"`; the path is checked again so nothing but validated segments lands between quotes. */
export function jsonPath(field: FieldPath): string {
  return `$${assertFieldPath(field)
    .split('.')
    .map((segment) => `."${segment}"`)
    .join('')}`;
}
