/**
 * SqliteStore: the Store port on an embedded SQLite database (better-sqlite3, synchronous). One table per
 * (namespace, collection) holding `(id, body JSON)`, a unique expression index per unique field, queries
 * compiled to SQL with bound parameters only. WAL mode lets readers in other connections go on while one writes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CollectionRef, Filter, SearchQuery, StoreAdapter } from '@tessera/store';
import { TesseraError, type CollectionSpec, type JsonObject, type StoredDocument } from '@tessera/plugin-sdk';
import { LOWERCASE_FUNCTION, compileFilter, compileSort, lowercase } from './internal/compile-query';
import { mapSqliteError } from './internal/map-sqlite-error';
import { identifier, literal, sql, type Sql, type SqlParam } from './internal/sql';
import { documents, jsonPath, table, uniqueIndexName } from './internal/names';

export interface SqliteStoreOptions {
  /** A database file (its folder is created when missing), or `:memory:`. */
  readonly path: string;
  /** How long a write waits for another connection's lock before failing (SQLite's busy_timeout). */
  readonly busyTimeoutMs?: number;
}

interface DocumentRow {
  id: string;
  body: string;
}

const IN_MEMORY = ':memory:';
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Prepared statements kept per open database; searches compile to many shapes, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 500;

export class SqliteStore implements StoreAdapter {
  readonly engine = 'sqlite';
  readonly path: string;
  private readonly busyTimeoutMs: number;
  private db: Database.Database | null = null;
  /**
   * Statements by SQL text, for the open database. Preparing costs more than running the one-row lookups every
   * request makes (the user of each token); SQLite recompiles a cached statement itself after a schema change.
   */
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  }

  /** Opens the database; a no-op when it is open already. */
  open(): Promise<void> {
    return this.attempt(undefined, () => {
      if (this.db !== null) return;
      if (this.path !== IN_MEMORY) mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path, { timeout: this.busyTimeoutMs });
      try {
        db.pragma('journal_mode = WAL');
        db.function(LOWERCASE_FUNCTION, { deterministic: true }, lowercase);
      } catch (error) {
        db.close();
        throw error;
      }
      this.db = db;
    });
  }

  /** Closes the database; a no-op when it is closed already. */
  close(): Promise<void> {
    return this.attempt(undefined, () => {
      this.statements.clear();
      this.db?.close();
      this.db = null;
    });
  }

  ping(): Promise<boolean> {
    return this.attempt(undefined, () => this.first<{ one: number }>(sql`SELECT 1 AS one`)?.one === 1).catch(
      () => false,
    );
  }

  ensureCollection(ref: CollectionRef, spec: CollectionSpec): Promise<void> {
    return this.transaction(ref, 'immediate', () => {
      this.run(sql`CREATE TABLE IF NOT EXISTS ${table(ref)} (
        id TEXT PRIMARY KEY NOT NULL,
        body TEXT NOT NULL
      ) STRICT, WITHOUT ROWID`);
      for (const field of spec.unique ?? []) {
        // json_type next to the value keeps uniqueness type-strict (true and 1 differ); NULLs never collide, so
        // documents lacking the field are free. Index expressions cannot take parameters: literal() quotes.
        const path = literal(jsonPath(field));
        this.run(sql`CREATE UNIQUE INDEX IF NOT EXISTS ${identifier(uniqueIndexName(ref, field))}
          ON ${table(ref)} (json_type(body, ${path}), json_extract(body, ${path}))`);
      }
    });
  }

  get(ref: CollectionRef, id: string): Promise<StoredDocument | null> {
    return this.attempt(ref, () => {
      const row = this.first<DocumentRow>(sql`SELECT id, body FROM ${table(ref)} WHERE id = ${id}`);
      return row === undefined ? null : toDocument(row);
    });
  }

  mGet(ref: CollectionRef, ids: readonly string[]): Promise<StoredDocument[]> {
    return this.attempt(ref, () => {
      const rows = this.all<DocumentRow>(
        sql`SELECT id, body FROM ${table(ref)} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      );
      const found = new Map(rows.map((row) => [row.id, row]));
      return ids.flatMap((id) => {
        const row = found.get(id);
        return row === undefined ? [] : [toDocument(row)];
      });
    });
  }

  create(ref: CollectionRef, id: string, source: JsonObject): Promise<void> {
    return this.attempt(ref, () => {
      this.run(sql`INSERT INTO ${table(ref)} (id, body) VALUES (${id}, ${JSON.stringify(source)})`);
    });
  }

  replace(ref: CollectionRef, id: string, source: JsonObject): Promise<boolean> {
    return this.attempt(ref, () => this.write(ref, id, source));
  }

  put(ref: CollectionRef, id: string, source: JsonObject): Promise<void> {
    return this.attempt(ref, () => {
      // Not INSERT OR REPLACE: that would also delete whichever document holds a conflicting unique value.
      this.run(sql`INSERT INTO ${table(ref)} (id, body) VALUES (${id}, ${JSON.stringify(source)})
        ON CONFLICT (id) DO UPDATE SET body = excluded.body`);
    });
  }

  modify(
    ref: CollectionRef,
    id: string,
    change: (source: JsonObject) => JsonObject,
  ): Promise<JsonObject | null> {
    return this.transaction(ref, 'immediate', () => {
      const row = this.first<DocumentRow>(sql`SELECT id, body FROM ${table(ref)} WHERE id = ${id}`);
      if (row === undefined) return null;
      const source = change(toDocument(row)._source);
      this.write(ref, id, source);
      return source;
    });
  }

  delete(ref: CollectionRef, id: string): Promise<boolean> {
    return this.attempt(ref, () => this.run(sql`DELETE FROM ${table(ref)} WHERE id = ${id}`) > 0);
  }

  search(ref: CollectionRef, query: SearchQuery): Promise<{ hits: StoredDocument[]; total: number }> {
    // One transaction, so the page and the total describe the same state.
    return this.transaction(ref, 'deferred', () => {
      const where = compileFilter(query.filter);
      const rows = this.all<DocumentRow>(sql`SELECT id, body FROM ${documents(ref)} WHERE ${where}
        ORDER BY ${compileSort(query.sort)} LIMIT ${query.size} OFFSET ${query.from}`);
      return { hits: rows.map(toDocument), total: this.countWhere(ref, where) };
    });
  }

  count(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.attempt(ref, () => this.countWhere(ref, compileFilter(filter)));
  }

  deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.attempt(ref, () =>
      this.run(sql`DELETE FROM ${documents(ref)} WHERE ${compileFilter(filter)}`),
    );
  }

  // -------------------------------------------------------------------------------------------------------

  /** Runs synchronous work as the port's promise, with every failure mapped in one place. */
  private attempt<R>(ref: CollectionRef | undefined, work: () => R): Promise<R> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(mapSqliteError(error, ref));
    }
  }

  /**
   * As attempt, inside a transaction: `immediate` takes the write lock before anything is read (read-change-write
   * must not interleave with another writer), `deferred` only pins one snapshot for several reads.
   */
  private transaction<R>(ref: CollectionRef, mode: 'immediate' | 'deferred', work: () => R): Promise<R> {
    return this.attempt(ref, () => this.database().transaction(work)[mode]());
  }

  private write(ref: CollectionRef, id: string, source: JsonObject): boolean {
    return this.run(sql`UPDATE ${table(ref)} SET body = ${JSON.stringify(source)} WHERE id = ${id}`) > 0;
  }

  private countWhere(ref: CollectionRef, where: Sql): number {
    return (
      this.first<{ total: number }>(sql`SELECT count(*) AS total FROM ${documents(ref)} WHERE ${where}`)
        ?.total ?? 0
    );
  }

  private database(): Database.Database {
    if (this.db === null) {
      throw new TesseraError('services.storage.unexpected_error', [
        `the SQLite store "${this.path}" is not open`,
      ]);
    }
    return this.db;
  }

  /** Runs a statement; returns the number of rows it changed. */
  private run(statement: Sql): number {
    return this.prepared(statement.text).run(...statement.params).changes;
  }

  private first<Row>(query: Sql): Row | undefined {
    return this.prepared<Row>(query.text).get(...query.params);
  }

  private all<Row>(query: Sql): Row[] {
    return this.prepared<Row>(query.text).all(...query.params);
  }

  private prepared<Row = unknown>(text: string): Database.Statement<SqlParam[], Row> {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.database().prepare<SqlParam[]>(text);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
      this.statements.set(text, statement);
    }
    return statement as Database.Statement<SqlParam[], Row>;
  }
}

/** A SqliteStore, not yet open: the kernel opens it when it starts. */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

function toDocument(row: DocumentRow): StoredDocument {
  return { _id: row.id, _source: JSON.parse(row.body) as JsonObject };
}
