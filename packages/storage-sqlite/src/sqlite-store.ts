/**
 * SqliteStore: the Store port on an embedded SQLite database (better-sqlite3, synchronous). One table per
 * (namespace, collection) (internal/schema.ts), an index per declared field, queries compiled to SQL with bound
 * parameters only. WAL mode lets readers in other connections go on while one writes. Every read-then-write
 * runs in an IMMEDIATE transaction, which takes the write lock first: nothing interleaves with it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  CollectionRef,
  CollectionSchema,
  FieldPath,
  Filter,
  NewDocument,
  SearchPage,
  SearchQuery,
  StoreAdapter,
  WriteCondition,
} from '@tessera/store';
import { cachedRegexpCompiler } from '@tessera/store';
import { TesseraError, type JsonObject, type VersionedDocument } from '@tessera/plugin-sdk';
import {
  LOWERCASE_FUNCTION,
  REGEXP_FUNCTION,
  compileAfter,
  compileFilter,
  compileSort,
  lowercase,
  regexpFunction,
} from './internal/compile-query';
import { mapSqliteError } from './internal/map-sqlite-error';
import { createTable, declareFields, migrate } from './internal/schema';
import { join, sql, type Sql, type SqlParam } from './internal/sql';
import { documents, parseTableName, table, tableName } from './internal/names';

export interface SqliteStoreOptions {
  /** A database file (its folder is created when missing), or `:memory:`. */
  readonly path: string;
  /** How long a write waits for another connection's lock before failing (SQLite's busy_timeout). */
  readonly busyTimeoutMs?: number;
}

interface DocumentRow {
  id: string;
  version: number;
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
  /** Per table, the fields declared so far: conditions on them are compiled for their index. */
  private readonly declared = new Map<string, ReadonlySet<FieldPath>>();

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
        db.function(REGEXP_FUNCTION, { deterministic: true }, regexpFunction(cachedRegexpCompiler()));
        this.db = db;
        migrate(db, this.run, this.all);
      } catch (error) {
        this.db = null;
        this.statements.clear();
        db.close();
        throw error;
      }
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

  collections(): Promise<CollectionRef[]> {
    return this.attempt(undefined, () =>
      this.all<{ name: string }>(
        sql`SELECT name FROM sqlite_master WHERE type = 'table' AND instr(name, '/') > 0`,
      ).flatMap(({ name }) => {
        const ref = parseTableName(name);
        return ref === undefined ? [] : [ref];
      }),
    );
  }

  ensureCollection(ref: CollectionRef, schema: CollectionSchema): Promise<CollectionSchema> {
    return this.transaction(ref, 'immediate', () => {
      createTable(this.run, ref);
      const declared = declareFields(this.run, this.all, ref, schema);
      this.declared.set(tableName(ref), new Set([...declared.unique, ...declared.indexed]));
      return declared;
    });
  }

  get(ref: CollectionRef, id: string): Promise<VersionedDocument | null> {
    return this.attempt(ref, () => this.read(ref, id));
  }

  mGet(ref: CollectionRef, ids: readonly string[]): Promise<VersionedDocument[]> {
    return this.attempt(ref, () => {
      const rows = this.all<DocumentRow>(
        sql`SELECT id, version, body FROM ${table(ref)} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
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
      this.run(
        sql`INSERT INTO ${table(ref)} (id, version, body) VALUES (${id}, 1, ${JSON.stringify(source)})`,
      );
    });
  }

  /** One IMMEDIATE transaction: a failing insert rolls back the ones before it. */
  mCreate(ref: CollectionRef, documents: readonly NewDocument[]): Promise<void> {
    return this.transaction(ref, 'immediate', () => {
      for (const { id, source } of documents) {
        this.run(
          sql`INSERT INTO ${table(ref)} (id, version, body) VALUES (${id}, 1, ${JSON.stringify(source)})`,
        );
      }
    });
  }

  replace(
    ref: CollectionRef,
    id: string,
    source: JsonObject,
    condition: WriteCondition = {},
  ): Promise<VersionedDocument | null> {
    return this.transaction(ref, 'immediate', () => {
      const previous = this.readIf(ref, id, condition);
      if (previous !== null) this.write(ref, id, source);
      return previous;
    });
  }

  put(ref: CollectionRef, id: string, source: JsonObject): Promise<VersionedDocument | null> {
    return this.transaction(ref, 'immediate', () => {
      const previous = this.read(ref, id);
      if (previous === null) {
        this.run(
          sql`INSERT INTO ${table(ref)} (id, version, body) VALUES (${id}, 1, ${JSON.stringify(source)})`,
        );
      } else {
        this.write(ref, id, source);
      }
      return previous;
    });
  }

  delete(ref: CollectionRef, id: string, condition: WriteCondition = {}): Promise<VersionedDocument | null> {
    return this.transaction(ref, 'immediate', () => {
      const previous = this.readIf(ref, id, condition);
      if (previous !== null) this.run(sql`DELETE FROM ${table(ref)} WHERE id = ${id}`);
      return previous;
    });
  }

  /** One statement, whatever the number of ids: one statement shape for the statement cache, one commit. */
  mDelete(ref: CollectionRef, ids: readonly string[]): Promise<string[]> {
    return this.transaction(ref, 'immediate', () => {
      const deleted = new Set(
        this.all<{ id: string }>(
          sql`DELETE FROM ${table(ref)} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
            RETURNING id`,
        ).map((row) => row.id),
      );
      return ids.filter((id) => deleted.has(id));
    });
  }

  search(ref: CollectionRef, query: SearchQuery): Promise<SearchPage> {
    // One transaction, so the page and the total describe the same state.
    return this.transaction(ref, 'deferred', () => {
      const declared = this.declaredOf(ref);
      const where = compileFilter(query.filter, declared);
      const page =
        query.after === undefined
          ? where
          : join([where, compileAfter(query.sort, query.after, declared)], ' AND ');
      const rows = this.all<DocumentRow>(sql`SELECT id, version, body FROM ${documents(ref)} WHERE ${page}
        ORDER BY ${compileSort(query.sort, declared)} LIMIT ${query.size} OFFSET ${query.from}`);
      const hits = rows.map(toDocument);
      return query.total ? { hits, total: this.countWhere(ref, where) } : { hits };
    });
  }

  count(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.attempt(ref, () => this.countWhere(ref, compileFilter(filter, this.declaredOf(ref))));
  }

  deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.attempt(ref, () => {
      const where = compileFilter(filter, this.declaredOf(ref));
      return this.changes(sql`DELETE FROM ${documents(ref)} WHERE ${where}`);
    });
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

  private read(ref: CollectionRef, id: string): VersionedDocument | null {
    const row = this.first<DocumentRow>(sql`SELECT id, version, body FROM ${table(ref)} WHERE id = ${id}`);
    return row === undefined ? null : toDocument(row);
  }

  /** The document, when `condition` holds for it; null when there is none. */
  private readIf(ref: CollectionRef, id: string, { ifVersion }: WriteCondition): VersionedDocument | null {
    const current = this.read(ref, id);
    if (current !== null && ifVersion !== undefined && current._version !== ifVersion) {
      throw new TesseraError('services.storage.version_conflict', [id, String(ifVersion)]);
    }
    return current;
  }

  private write(ref: CollectionRef, id: string, source: JsonObject): void {
    this.run(sql`UPDATE ${table(ref)} SET body = ${JSON.stringify(source)}, version = version + 1
      WHERE id = ${id}`);
  }

  private declaredOf(ref: CollectionRef): ReadonlySet<FieldPath> {
    return this.declared.get(tableName(ref)) ?? NOTHING_DECLARED;
  }

  private countWhere(ref: CollectionRef, where: Sql): number {
    return (
      this.first<{ total: number }>(sql`SELECT count(*) AS total FROM ${documents(ref)} WHERE ${where}`)
        ?.total ?? 0
    );
  }

  private database(): Database.Database {
    if (this.db === null) {
      throw new TesseraError('services.storage.not_connected', [], {
        cause: new Error(`the SQLite store "${this.path}" is not open`),
      });
    }
    return this.db;
  }

  /** Runs a statement; returns the number of rows it changed. */
  private changes(statement: Sql): number {
    return this.prepared(statement.text).run(...statement.params).changes;
  }

  private readonly run = (statement: Sql): void => {
    this.changes(statement);
  };

  private first<Row>(query: Sql): Row | undefined {
    return this.prepared<Row>(query.text).get(...query.params);
  }

  private readonly all = <Row>(query: Sql): Row[] => this.prepared<Row>(query.text).all(...query.params);

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

const NOTHING_DECLARED: ReadonlySet<FieldPath> = new Set();

function toDocument(row: DocumentRow): VersionedDocument {
  return { _id: row.id, _source: JSON.parse(row.body) as JsonObject, _version: row.version };
}
