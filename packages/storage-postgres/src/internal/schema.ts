/**
 * The PostgreSQL schema of a store: a version record, one table per collection, one index per declared field.
 * Every change runs in a transaction holding an advisory lock on the schema, so nodes starting together
 * never race on DDL.
 *
 * A table is `(seq, id, version, body jsonb)`: `seq` numbers documents in creation order (the order of unsorted
 * searches), `id` is the primary key in the "C" collation (code point order), `version` counts writes. A
 * declared field's index is on its key (names.fieldKey); its comment records what it declares, so any node
 * reads the declarations back from the schema itself.
 */
import type { PoolClient } from 'pg';
import { TesseraError } from '@tessera/plugin-sdk';
import type { CollectionRef, CollectionSchema, FieldPath } from '@tessera/store';
import { fieldKey, fieldValue, indexName, table, tableName, type IndexKind } from './names';
import { identifier, literal, raw, render, sql, type Sql } from './sql';

/** The layout this version writes; a database at a later one was written by a newer Tessera. */
export const SCHEMA_VERSION = 1;

export async function run(client: PoolClient, statement: Sql): Promise<Record<string, unknown>[]> {
  const { text, values } = render(statement);
  return (await client.query<Record<string, unknown>>(text, values)).rows;
}

/** Runs `work` in a transaction that holds the schema's lock. */
export async function locked<R>(client: PoolClient, schema: string, work: () => Promise<R>): Promise<R> {
  await client.query('BEGIN');
  try {
    await run(client, sql`SELECT pg_advisory_xact_lock(hashtext(${`tessera:${schema}`}))`);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Creates the schema and its version record, or checks that this version can read it. */
export async function prepareSchema(client: PoolClient, schema: string): Promise<void> {
  await locked(client, schema, async () => {
    await run(client, sql`CREATE SCHEMA IF NOT EXISTS ${identifier(schema)}`);
    const versions = sql`${identifier(schema)}.tessera_schema`;
    await run(client, sql`CREATE TABLE IF NOT EXISTS ${versions} (version integer NOT NULL)`);
    const [row] = await run(client, sql`SELECT max(version) AS version FROM ${versions}`);
    const version = row?.['version'];
    if (typeof version !== 'number') {
      await run(client, sql`INSERT INTO ${versions} (version) VALUES (${SCHEMA_VERSION})`);
    } else if (version > SCHEMA_VERSION) {
      const detail = `the schema "${schema}" is at version ${version}, written by a newer Tessera (this one knows ${SCHEMA_VERSION})`;
      throw new TesseraError('services.storage.unexpected_error', [], { cause: new Error(detail) });
    }
  });
}

/** Every collection of the schema, read from its tables' comments (or names, for tables made before them). */
export async function listCollections(client: PoolClient, schema: string): Promise<CollectionRef[]> {
  const rows = await run(
    client,
    sql`SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS note FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind = 'r' AND c.relname <> 'tessera_schema'`,
  );
  return rows.flatMap((row) => {
    const held = parseNote(row['note']);
    if (held !== undefined) return [held];
    const [namespace, collection, ...rest] = String(row['name']).split('/');
    const plain = namespace && collection && rest.length === 0 && !collection.includes('~');
    return plain ? [{ namespace, collection }] : [];
  });
}

function parseNote(note: unknown): CollectionRef | undefined {
  if (typeof note !== 'string') return undefined;
  try {
    const parsed = JSON.parse(note) as Partial<CollectionRef>;
    const { namespace, collection } = parsed;
    return typeof namespace === 'string' && typeof collection === 'string'
      ? { namespace, collection }
      : undefined;
  } catch {
    return undefined;
  }
}

interface Declaration {
  readonly kind: IndexKind;
  readonly field: FieldPath;
}

/**
 * Creates the collection's table and the indexes `wanted` declares that it lacks; answers every field the
 * collection declares by now. A new index is refused when a stored document holds an array or an object in its
 * field, and, for a unique one, when two hold the same value (PostgreSQL's unique violation).
 */
export async function ensureCollection(
  client: PoolClient,
  schema: string,
  ref: CollectionRef,
  wanted: CollectionSchema,
): Promise<CollectionSchema> {
  return locked(client, schema, async () => {
    const documents = table(schema, ref);
    await run(
      client,
      sql`CREATE TABLE IF NOT EXISTS ${documents} (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        body jsonb NOT NULL,
        CONSTRAINT ${identifier(indexName(ref, 'id'))} PRIMARY KEY (id)
      )`,
    );
    await run(
      client,
      sql`CREATE INDEX IF NOT EXISTS ${identifier(indexName(ref, 'seq'))} ON ${documents} (seq)`,
    );
    // The table's name may be shortened (names.shortName): its comment keeps the collection it holds.
    const holds = JSON.stringify({ namespace: ref.namespace, collection: ref.collection });
    await run(client, sql`COMMENT ON TABLE ${documents} IS ${literal(holds)}`);
    const existing = await declarations(client, schema, ref);
    const has = (kind: IndexKind, field: FieldPath) =>
      existing.some((declared) => declared.field === field && (declared.kind === kind || kind === 'index'));
    const added: Declaration[] = [
      ...wanted.unique
        .filter((field) => !has('unique', field))
        .map((field) => ({ kind: 'unique' as const, field })),
      ...wanted.indexed
        .filter((field) => !has('index', field))
        .map((field) => ({ kind: 'index' as const, field })),
    ];
    for (const declaration of added) await createIndex(client, schema, ref, declaration);
    const all = [...existing, ...added];
    const fields = (kind: IndexKind) =>
      [...new Set(all.filter((d) => d.kind === kind).map((d) => d.field))].sort();
    return { unique: fields('unique'), indexed: fields('index') };
  });
}

async function createIndex(
  client: PoolClient,
  schema: string,
  ref: CollectionRef,
  { kind, field }: Declaration,
): Promise<void> {
  const documents = table(schema, ref);
  const [found] = await run(
    client,
    sql`SELECT jsonb_typeof(${fieldValue(field, raw('body'))}) AS type FROM ${documents}
      WHERE jsonb_typeof(${fieldValue(field, raw('body'))}) IN ('array', 'object') LIMIT 1`,
  );
  if (found !== undefined) {
    const what = found['type'] === 'array' ? 'an array' : 'an object';
    throw new TesseraError('services.storage.indexed_field_not_scalar', [field, ref.collection, what]);
  }
  const name = identifier(indexName(ref, kind, field));
  const create = raw(kind === 'unique' ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX');
  await run(client, sql`${create} IF NOT EXISTS ${name} ON ${documents} (${fieldKey(field, raw('body'))})`);
  const note = JSON.stringify({ kind, field });
  await run(client, sql`COMMENT ON INDEX ${identifier(schema)}.${name} IS ${literal(note)}`);
}

/** The declarations of the collection's indexes, read from their comments. */
async function declarations(client: PoolClient, schema: string, ref: CollectionRef): Promise<Declaration[]> {
  const qualified = `${identifier(schema).strings[0] ?? ''}.${identifier(tableName(ref)).strings[0] ?? ''}`;
  const rows = await run(
    client,
    sql`SELECT obj_description(indexrelid, 'pg_class') AS note FROM pg_index WHERE indrelid = ${qualified}::regclass`,
  );
  return rows.flatMap((row) => {
    const note = row['note'];
    if (typeof note !== 'string') return [];
    try {
      const parsed = JSON.parse(note) as Partial<Declaration>;
      const valid = (parsed.kind === 'unique' || parsed.kind === 'index') && typeof parsed.field === 'string';
      return valid ? [parsed as Declaration] : [];
    } catch {
      return [];
    }
  });
}
