/**
 * The SQLite schema of a store: one table per collection, one index per declared field, and the migration of
 * tables written by earlier versions. All of it runs on the caller's connection, inside its transaction.
 *
 * A table is `(seq, id, version, body)`: `seq`, the rowid, numbers documents in creation order (the order of
 * unsorted searches); `id` is unique; `version` counts writes (compare-and-set); `body` is the JSON source.
 * Tables of the first layout, `(id, body)` without rowid, are rebuilt at open: their documents keep their ids
 * and contents, start at version 1, and take the order of their ids as their creation order.
 */
import type Database from 'better-sqlite3';
import { TesseraError } from '@tessera/plugin-sdk';
import type { CollectionRef, CollectionSchema, FieldPath } from '@tessera/store';
import { fieldKey, indexName, jsonPath, parseIndexName, table, tableName, type IndexKind } from './names';
import { identifier, literal, raw, sql, type Sql } from './sql';

/** Runs a statement (no result rows) on the open database. */
export type Run = (statement: Sql) => void;
/** Runs a query and answers its rows. */
export type All = <Row>(query: Sql) => Row[];

export function createTable(run: Run, ref: CollectionRef): void {
  run(sql`CREATE TABLE IF NOT EXISTS ${table(ref)} (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT`);
}

/** The fields the table's indexes declare, read from the schema itself. */
export function declaredFields(all: All, ref: CollectionRef): CollectionSchema {
  const names = all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${tableName(ref)}`,
  );
  const unique: FieldPath[] = [];
  const indexed: FieldPath[] = [];
  for (const { name } of names) {
    const index = parseIndexName(name);
    if (index?.table === tableName(ref)) (index.kind === 'unique' ? unique : indexed).push(index.field);
  }
  return { unique: unique.sort(), indexed: indexed.sort() };
}

/**
 * Creates the indexes `schema` declares that the table lacks; answers every field the table declares by now.
 * A new index is refused when a stored document holds an array or an object in its field (declared fields hold
 * scalars), and, for a unique one, when two hold the same value (SQLite's constraint error).
 */
export function declareFields(
  run: Run,
  all: All,
  ref: CollectionRef,
  schema: CollectionSchema,
): CollectionSchema {
  const existing = declaredFields(all, ref);
  const missing = (kind: IndexKind, fields: readonly FieldPath[], present: readonly FieldPath[]) =>
    fields.filter((field) => !present.includes(field)).map((field) => ({ kind, field }));
  const added = [
    ...missing('unique', schema.unique, existing.unique),
    ...missing('index', schema.indexed, [...existing.unique, ...existing.indexed]),
  ];
  for (const { kind, field } of added) {
    assertScalarValues(all, ref, field);
    const create = raw(kind === 'unique' ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX');
    run(sql`${create} IF NOT EXISTS ${identifier(indexName(ref, kind, field))}
      ON ${table(ref)} (${fieldKey(field, raw('body'))})`);
  }
  return {
    unique: union(existing.unique, schema.unique),
    indexed: union(existing.indexed, schema.indexed),
  };
}

function assertScalarValues(all: All, ref: CollectionRef, field: FieldPath): void {
  const path = literal(jsonPath(field));
  const [found] = all<{ type: string }>(
    sql`SELECT json_type(body, ${path}) AS type FROM ${table(ref)}
      WHERE json_type(body, ${path}) IN ('array', 'object') LIMIT 1`,
  );
  if (found !== undefined) {
    throw new TesseraError('services.storage.indexed_field_not_scalar', [
      field,
      ref.collection,
      found.type === 'array' ? 'an array' : 'an object',
    ]);
  }
}

function union(a: readonly FieldPath[], b: readonly FieldPath[]): FieldPath[] {
  return [...new Set([...a, ...b])].sort();
}

/** Rebuilds every table of the first layout in the current layout, keeping its documents and unique fields. */
export function migrate(db: Database.Database, run: Run, all: All): void {
  const tables = all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND instr(name, '/') > 0`,
  );
  for (const { name } of tables) {
    const columns = db.pragma(`table_info(${identifier(name).text})`) as { name: string }[];
    if (columns.some((column) => column.name === 'seq')) continue;
    const ref = refOf(name);
    db.transaction(() => {
      const { unique } = declaredFields(all, ref);
      const old = identifier(`${name}/v1`);
      run(sql`ALTER TABLE ${table(ref)} RENAME TO ${old}`);
      createTable(run, ref);
      run(sql`INSERT INTO ${table(ref)} (id, version, body) SELECT id, 1, body FROM ${old} ORDER BY id`);
      // Drops the first layout's indexes with it; the current ones are made anew.
      run(sql`DROP TABLE ${old}`);
      declareFields(run, all, ref, { unique, indexed: [] });
    }).immediate();
  }
}

/** Namespaces never contain a slash: the first one ends it. */
function refOf(name: string): CollectionRef {
  const at = name.indexOf('/');
  return { namespace: name.slice(0, at), collection: name.slice(at + 1) };
}
