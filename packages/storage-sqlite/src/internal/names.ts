/**
 * How Tessera's names become SQLite's: one table per (namespace, collection), one index per declared field
 * (named so that a constraint error tells which field it was, and so that the declarations can be read back
 * from the schema), and JSON paths for `json_each`/`json_extract`.
 */
import { assertFieldPath, type CollectionRef, type FieldPath } from '@tessera/store';
import { identifier, literal, raw, sql, type Sql } from './sql';

// Namespaces (`kernel`, `plugin:<name>`) and collection names never contain a slash, so names cannot collide.
const SEPARATOR = '/';

/** Unique fields' indexes are `<table>/unique/<field>`, plain declared fields' `<table>/index/<field>`. */
export type IndexKind = 'unique' | 'index';
const INDEX_NAME = /^(.+)\/(unique|index)\/([^/]+)$/;

export function tableName(ref: CollectionRef): string {
  return `${ref.namespace}${SEPARATOR}${ref.collection}`;
}

/** The collection a table named by tableName holds; undefined for any other table. */
export function parseTableName(name: string): CollectionRef | undefined {
  const parts = name.split(SEPARATOR);
  const [namespace, collection] = parts;
  if (parts.length !== 2 || !namespace || !collection) return undefined;
  return { namespace, collection };
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

export function indexName(ref: CollectionRef, kind: IndexKind, field: FieldPath): string {
  return `${tableName(ref)}${SEPARATOR}${kind}${SEPARATOR}${field}`;
}

/** What an index named by indexName guards, or undefined for any other index. */
export function parseIndexName(
  name: string,
): { table: string; kind: IndexKind; field: FieldPath } | undefined {
  const match = INDEX_NAME.exec(name);
  if (match === null) return undefined;
  const [, table = '', kind, field = ''] = match;
  return { table, kind: kind === 'unique' ? 'unique' : 'index', field };
}

/** `a.b` -> `$."a"."b"`; the path is checked again so nothing but validated segments lands between quotes. */
export function jsonPath(field: FieldPath): string {
  return `$${assertFieldPath(field)
    .split('.')
    .map((segment) => `."${segment}"`)
    .join('')}`;
}

/**
 * The value of a declared (scalar) field as its index holds it, and as sorts compare values: numbers and text
 * as SQLite stores them, booleans as one-byte blobs (so they are neither 0 nor 1, and order after every string,
 * as the port says), missing and null as NULL. The path is a literal, not a parameter: SQLite serves a query
 * from an index on an expression only when the query spells the very same expression (the table's alias in a
 * query, `doc`, or none in the index, name the same column).
 */
export function fieldKey(field: FieldPath, body: Sql = raw('doc.body')): Sql {
  const path = literal(jsonPath(field));
  return sql`(CASE json_type(${body}, ${path}) WHEN 'true' THEN x'01' WHEN 'false' THEN x'00' ELSE json_extract(${body}, ${path}) END)`;
}
