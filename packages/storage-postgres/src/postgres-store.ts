/**
 * PostgresStore: the Store port on PostgreSQL (node-postgres). Documents are JSONB rows, one table per
 * (namespace, collection) in the store's schema (internal/schema.ts), queries compiled to SQL with bound
 * parameters only, over a connection pool.
 *
 * At the edge: `open` refuses to start, with the engine and the URL (password masked), when the database cannot
 * be reached. Once open, every call is bounded (a connection is waited for `connectionTimeoutMs`, a statement
 * runs at most `statementTimeoutMs`), a lost database answers `services.storage.not_connected` (503), and the
 * pool reconnects by itself when the database is back: nothing to restart.
 */
import { Pool, type PoolClient } from 'pg';
import { TesseraError, type JsonObject, type VersionedDocument } from '@tessera/plugin-sdk';
import {
  StoreConnection,
  type CollectionRef,
  type CollectionSchema,
  type FieldPath,
  type Filter,
  type NewDocument,
  type SearchPage,
  type SearchQuery,
  type StoreAdapter,
  type WriteCondition,
} from '@tessera/store';
import { compileAfter, compileFilter, compileSort } from './internal/compile-query';
import { mapPgError } from './internal/map-pg-error';
import { documents, indexName, table, tableName } from './internal/names';
import { ensureCollection, listCollections, prepareSchema } from './internal/schema';
import { join, render, sql, type Sql } from './internal/sql';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** The schema holding Tessera's tables, created when missing. Default `public`. */
  readonly schema?: string;
  /** Connections kept open at most. Default 10. */
  readonly poolSize?: number;
  /** How long a call waits for a connection before answering not_connected. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** How long one statement may run (server side, and the client's own bound on a silent network). Default 10 s. */
  readonly statementTimeoutMs?: number;
}

interface DocumentRow {
  id: string;
  version: number;
  body: JsonObject;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
const NOTHING_DECLARED: ReadonlySet<FieldPath> = new Set();

export class PostgresStore implements StoreAdapter {
  readonly engine = 'postgres';
  readonly schema: string;
  /** Where the database is, its password masked: what messages show of the URL. */
  readonly location: string;
  private readonly connection: StoreConnection<Pool>;
  /** Per table, the fields declared so far: conditions on them are compiled for their index. */
  private readonly declared = new Map<string, ReadonlySet<FieldPath>>();
  /** Unique indexes and primary keys by name, so a constraint error says which field (or the id) it was. */
  private readonly uniqueIndexes = new Map<string, { ref: CollectionRef; field: FieldPath | null }>();

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'public';
    this.location = maskUrl(options.url);
    const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    const connectionTimeoutMs = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.connection = new StoreConnection({
      engine: 'PostgreSQL',
      location: this.location,
      create: () => {
        const pool = new Pool({
          connectionString: options.url,
          max: poolSize,
          connectionTimeoutMillis: connectionTimeoutMs,
          statement_timeout: statementTimeoutMs,
          // The client's own bound: a statement on a connection that went silent fails rather than hangs.
          query_timeout: statementTimeoutMs + connectionTimeoutMs,
          idleTimeoutMillis: 30_000,
          keepAlive: true,
        });
        // An idle connection the server dropped: the pool discards it and the next call opens another. Without a
        // listener the error would be thrown, and take the process down.
        pool.on('error', () => undefined);
        return pool;
      },
      prepare: async (pool) => {
        const client = await pool.connect();
        try {
          await prepareSchema(client, this.schema);
        } finally {
          client.release();
        }
      },
      dispose: (pool) => pool.end(),
    });
  }

  /** Connects and prepares the schema; rejects, naming the engine and the masked URL, when that fails. */
  open(): Promise<void> {
    return this.connection.open();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.query<{ one: number }>(undefined, sql`SELECT 1 AS one`))[0]?.one === 1;
    } catch {
      return false;
    }
  }

  collections(): Promise<CollectionRef[]> {
    return this.withClient((client) => listCollections(client, this.schema));
  }

  async ensureCollection(ref: CollectionRef, schema: CollectionSchema): Promise<CollectionSchema> {
    this.uniqueIndexes.set(indexName(ref, 'id'), { ref, field: null });
    for (const field of schema.unique)
      this.uniqueIndexes.set(indexName(ref, 'unique', field), { ref, field });
    const declared = await this.withClient((client) => ensureCollection(client, this.schema, ref, schema));
    for (const field of declared.unique)
      this.uniqueIndexes.set(indexName(ref, 'unique', field), { ref, field });
    this.declared.set(tableName(ref), new Set([...declared.unique, ...declared.indexed]));
    return declared;
  }

  async get(ref: CollectionRef, id: string): Promise<VersionedDocument | null> {
    const [row] = await this.rows(
      ref,
      sql`SELECT id, version, body FROM ${this.table(ref)} WHERE id = ${id}`,
    );
    return row === undefined ? null : toDocument(row);
  }

  async mGet(ref: CollectionRef, ids: readonly string[]): Promise<VersionedDocument[]> {
    const rows = await this.rows(
      ref,
      sql`SELECT id, version, body FROM ${this.table(ref)} WHERE id = ANY(${[...ids]}::text[])`,
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = found.get(id);
      return row === undefined ? [] : [toDocument(row)];
    });
  }

  async create(ref: CollectionRef, id: string, source: JsonObject): Promise<void> {
    await this.query(
      ref,
      sql`INSERT INTO ${this.table(ref)} (id, version, body) VALUES (${id}, 1, ${source})`,
    );
  }

  /** One statement, so one transaction: all or none, inserted in the order given (its creation order). */
  async mCreate(ref: CollectionRef, documents: readonly NewDocument[]): Promise<void> {
    const rows = JSON.stringify(documents.map(({ id, source }) => [id, source]));
    await this.query(
      ref,
      sql`INSERT INTO ${this.table(ref)} (id, version, body)
        SELECT row->>0, 1, row->1 FROM jsonb_array_elements(${rows}::jsonb) WITH ORDINALITY AS given(row, n)
        ORDER BY n`,
    );
  }

  async replace(
    ref: CollectionRef,
    id: string,
    source: JsonObject,
    { ifVersion }: WriteCondition = {},
  ): Promise<VersionedDocument | null> {
    const documents = this.table(ref);
    // The old row, locked, joined to the update: one statement answers the document as it was.
    const condition = ifVersion === undefined ? sql`` : sql` AND old.version = ${ifVersion}`;
    const [row] = await this.rows(
      ref,
      sql`UPDATE ${documents} AS doc SET body = ${source}, version = doc.version + 1
        FROM (SELECT id, version, body FROM ${documents} WHERE id = ${id} FOR UPDATE) AS old
        WHERE doc.id = old.id${condition}
        RETURNING old.id, old.version, old.body`,
    );
    if (row !== undefined) return toDocument(row);
    return this.missingOrConflict(ref, id, ifVersion);
  }

  async put(ref: CollectionRef, id: string, source: JsonObject): Promise<VersionedDocument | null> {
    // Replace, else insert; a concurrent insert between the two makes the insert do nothing: try again.
    for (;;) {
      const previous = await this.replace(ref, id, source);
      if (previous !== null) return previous;
      const inserted = await this.rows(
        ref,
        sql`INSERT INTO ${this.table(ref)} (id, version, body) VALUES (${id}, 1, ${source})
          ON CONFLICT (id) DO NOTHING RETURNING id`,
      );
      if (inserted.length > 0) return null;
    }
  }

  async delete(
    ref: CollectionRef,
    id: string,
    { ifVersion }: WriteCondition = {},
  ): Promise<VersionedDocument | null> {
    const condition = ifVersion === undefined ? sql`` : sql` AND version = ${ifVersion}`;
    const [row] = await this.rows(
      ref,
      sql`DELETE FROM ${this.table(ref)} WHERE id = ${id}${condition} RETURNING id, version, body`,
    );
    if (row !== undefined) return toDocument(row);
    return this.missingOrConflict(ref, id, ifVersion);
  }

  /** One statement, so one transaction. */
  async mDelete(ref: CollectionRef, ids: readonly string[]): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      ref,
      sql`DELETE FROM ${this.table(ref)} WHERE id = ANY(${[...ids]}::text[]) RETURNING id`,
    );
    const deleted = new Set(rows.map((row) => row.id));
    return ids.filter((id) => deleted.has(id));
  }

  async search(ref: CollectionRef, query: SearchQuery): Promise<SearchPage> {
    const declared = this.declaredOf(ref);
    const where = compileFilter(query.filter, declared);
    const { joins, orderBy, keys } = compileSort(query.sort, declared);
    const page = query.after === undefined ? where : join([where, compileAfter(keys, query.after)], ' AND ');
    const rows = this.rows(
      ref,
      sql`SELECT doc.id, doc.version, doc.body FROM ${this.documents(ref)}${joins} WHERE ${page}
        ORDER BY ${orderBy} LIMIT ${query.size} OFFSET ${query.from}`,
    );
    // Two statements, sent together: the page and the total may see different snapshots under concurrent writes.
    if (!query.total) return { hits: (await rows).map(toDocument) };
    const [hits, total] = await Promise.all([rows, this.countWhere(ref, where)]);
    return { hits: hits.map(toDocument), total };
  }

  count(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.countWhere(ref, compileFilter(filter, this.declaredOf(ref)));
  }

  async deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number> {
    const where = compileFilter(filter, this.declaredOf(ref));
    const deleted = await this.rows(
      ref,
      sql`DELETE FROM ${this.documents(ref)} WHERE ${where} RETURNING doc.id`,
    );
    return deleted.length;
  }

  // -------------------------------------------------------------------------------------------------------

  /** After a write that matched no row: null when there is no such document, a conflict when its version moved. */
  private async missingOrConflict(
    ref: CollectionRef,
    id: string,
    ifVersion: number | undefined,
  ): Promise<null> {
    if (ifVersion !== undefined && (await this.get(ref, id)) !== null) {
      throw new TesseraError('services.storage.version_conflict', [id, String(ifVersion)]);
    }
    return null;
  }

  private async countWhere(ref: CollectionRef, where: Sql): Promise<number> {
    const [row] = await this.query<{ total: string }>(
      ref,
      sql`SELECT count(*) AS total FROM ${this.documents(ref)} WHERE ${where}`,
    );
    return Number(row?.total ?? 0);
  }

  private table(ref: CollectionRef): Sql {
    return table(this.schema, ref);
  }

  private documents(ref: CollectionRef): Sql {
    return documents(this.schema, ref);
  }

  private declaredOf(ref: CollectionRef): ReadonlySet<FieldPath> {
    return this.declared.get(tableName(ref)) ?? NOTHING_DECLARED;
  }

  private rows(ref: CollectionRef, statement: Sql): Promise<DocumentRow[]> {
    return this.query<DocumentRow>(ref, statement);
  }

  /** Runs one statement on a pooled connection; every failure is mapped in one place. */
  private async query<Row>(ref: CollectionRef | undefined, statement: Sql): Promise<Row[]> {
    const { text, values } = render(statement);
    try {
      return (await this.connection.handle().query(text, values.map(toParam))).rows as Row[];
    } catch (error) {
      throw mapPgError(error, this.uniqueIndexes);
    }
  }

  private async withClient<R>(work: (client: PoolClient) => Promise<R>): Promise<R> {
    let client: PoolClient;
    try {
      client = await this.connection.handle().connect();
    } catch (error) {
      throw mapPgError(error, this.uniqueIndexes);
    }
    try {
      return await work(client);
    } catch (error) {
      throw mapPgError(error, this.uniqueIndexes);
    } finally {
      client.release();
    }
  }
}

/** A PostgresStore, not yet open: the kernel opens it when it starts. */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

/** `url` with its password replaced by `***`; an unparsable URL is not shown at all, lest it hold one. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Sources go as JSON text (pg would send an array as a PostgreSQL array); everything else as it is. */
function toParam(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : value;
}

function toDocument(row: DocumentRow): VersionedDocument {
  return { _id: row.id, _source: row.body, _version: row.version };
}
