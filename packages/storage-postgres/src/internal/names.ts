/**
 * How Tessera's names become PostgreSQL's: one table per (namespace, collection) in the store's schema, named
 * `<namespace>/<collection>` (shortened with a hash past PostgreSQL's 63 bytes), indexes named after their table,
 * and JSON paths as chains of `->` on text keys, which never index into an array.
 */
import { createHash } from 'node:crypto';
import { assertFieldPath, type CollectionRef, type FieldPath } from '@tessera/store';
import { identifier, join, literal, raw, sql, type Sql } from './sql';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated, so they could collide. */
const MAX_IDENTIFIER_BYTES = 63;

/** `name`, or a prefix of it and a hash of the whole when it is too long to be an identifier as it is. */
export function shortName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  let prefix = name.slice(0, MAX_IDENTIFIER_BYTES - hash.length - 1);
  while (Buffer.byteLength(prefix) > MAX_IDENTIFIER_BYTES - hash.length - 1) prefix = prefix.slice(0, -1);
  return `${prefix}~${hash}`;
}

export function tableName(ref: CollectionRef): string {
  return shortName(`${ref.namespace}/${ref.collection}`);
}

/** The table, qualified by the store's schema. */
export function table(schema: string, ref: CollectionRef): Sql {
  return sql`${identifier(schema)}.${identifier(tableName(ref))}`;
}

/** The table aliased `doc`, as compiled conditions name it. */
export function documents(schema: string, ref: CollectionRef): Sql {
  return sql`${table(schema, ref)} AS doc`;
}

export type IndexKind = 'unique' | 'index';

export function indexName(ref: CollectionRef, kind: IndexKind | 'seq' | 'id', field = ''): string {
  return shortName(`${tableName(ref)}/${kind}${field === '' ? '' : `/${field}`}`);
}

/** `a.b` on `body` -> `(body -> 'a' -> 'b')`: jsonb, or NULL when a key is missing or an array is in the way. */
export function fieldValue(field: FieldPath, body: Sql = raw('doc.body')): Sql {
  const keys = assertFieldPath(field)
    .split('.')
    .map((segment) => literal(segment));
  return sql`(${body} -> ${join(keys, ' -> ')})`;
}

/**
 * A declared (scalar) field's value as its index holds it: JSON null as SQL NULL, so that nulls, like missing
 * values, never collide in a unique index. Keys are literals: PostgreSQL serves a condition from an expression
 * index only when the condition spells the same expression.
 */
export function fieldKey(field: FieldPath, body: Sql = raw('doc.body')): Sql {
  return sql`NULLIF(${fieldValue(field, body)}, 'null'::jsonb)`;
}
