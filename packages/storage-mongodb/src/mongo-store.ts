/**
 * MongoStore: the Store port on MongoDB (the official driver). One MongoDB collection per (namespace,
 * collection), documents stored as internal/documents.ts describes, queries compiled to MongoDB filters
 * (internal/compile-query.ts), sorts on source fields to an aggregation.
 *
 * At the edge: `open` refuses to start, with the engine and the URL (password masked), when the server cannot
 * be reached. Once open, every call is bounded (a server is waited for `connectionTimeoutMs`, an operation runs
 * at most `operationTimeoutMs`), a lost server answers `services.storage.not_connected` (503), and the driver
 * reconnects by itself when the server is back: nothing to restart.
 *
 * Regular expressions run on MongoDB's engine (PCRE), which backtracks: the namespace checks every pattern
 * against RE2's syntax and bounds first (query-parser.ts), and the operation timeout bounds the rest.
 */
import { MongoClient, type Collection, type Db } from 'mongodb';
import { TesseraError, isTesseraError, type JsonObject, type VersionedDocument } from '@tessera/plugin-sdk';
import {
  StoreConnection,
  type CollectionRef,
  type CollectionSchema,
  type Filter,
  type NewDocument,
  type SearchPage,
  type SearchQuery,
  type StoreAdapter,
  type WriteCondition,
} from '@tessera/store';
import { compileFilter, compileSearch } from './internal/compile-query';
import { ORDER, VERSION, derivedOf, toDocument, type StoredDocument } from './internal/documents';
import { mapMongoError } from './internal/map-mongo-error';
import { ensureCollection } from './internal/schema';

export interface MongoStoreOptions {
  /** `mongodb://user:password@host:port/database` (or `mongodb+srv://`). */
  readonly url: string;
  /** The database holding Tessera's collections. Default: the URL's, else `tessera`. */
  readonly database?: string;
  /** Connections kept open at most, per server. Default 10. */
  readonly poolSize?: number;
  /** How long a call waits for a server before answering not_connected. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** How long a reply is waited for on a connection before the call fails. Default 10 s. */
  readonly operationTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;
const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;
/** The collection of creation-order counters, one document per collection; no store collection has this name. */
const COUNTERS = 'tessera_counters';
const DOCUMENT_FIELDS = { _id: 1, [VERSION]: 1, s: 1 } as const;

export class MongoStore implements StoreAdapter {
  readonly engine = 'mongodb';
  readonly database: string;
  /** Where the server is, its password masked: what messages show of the URL. */
  readonly location: string;
  private readonly operationTimeoutMs: number;
  private readonly connection: StoreConnection<{ client: MongoClient; db: Db }>;

  constructor(options: MongoStoreOptions) {
    this.database = options.database ?? databaseOf(options.url) ?? 'tessera';
    this.location = maskUrl(options.url);
    const connectionTimeoutMs = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.connection = new StoreConnection({
      engine: 'MongoDB',
      location: this.location,
      create: () => {
        const client = new MongoClient(options.url, {
          maxPoolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
          serverSelectionTimeoutMS: connectionTimeoutMs,
          connectTimeoutMS: connectionTimeoutMs,
          // A reply waited for at most this long: an operation on a connection that went silent fails, not hangs.
          socketTimeoutMS: this.operationTimeoutMs,
        });
        return { client, db: client.db(this.database) };
      },
      prepare: async ({ client, db }) => {
        await client.connect();
        await db.command({ ping: 1 });
      },
      dispose: ({ client }) => client.close(),
    });
  }

  open(): Promise<void> {
    return this.connection.open();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  async ping(): Promise<boolean> {
    try {
      const answer = await this.db().command({ ping: 1 });
      return answer['ok'] === 1;
    } catch {
      return false;
    }
  }

  async collections(): Promise<CollectionRef[]> {
    const listed = await this.run(undefined, () =>
      this.db().listCollections({}, { nameOnly: true }).toArray(),
    );
    return listed.flatMap(({ name }) => {
      const [namespace, collection, ...rest] = name.split('/');
      return namespace && collection && rest.length === 0 ? [{ namespace, collection }] : [];
    });
  }

  ensureCollection(ref: CollectionRef, schema: CollectionSchema): Promise<CollectionSchema> {
    return this.run(ref, () => ensureCollection(this.collection(ref), ref, schema));
  }

  get(ref: CollectionRef, id: string): Promise<VersionedDocument | null> {
    return this.run(ref, async () => {
      const found = await this.collection(ref).findOne({ _id: id }, { projection: DOCUMENT_FIELDS });
      return found === null ? null : toDocument(found);
    });
  }

  mGet(ref: CollectionRef, ids: readonly string[]): Promise<VersionedDocument[]> {
    return this.run(ref, async () => {
      const found = await this.collection(ref)
        .find({ _id: { $in: [...ids] } }, { projection: DOCUMENT_FIELDS })
        .toArray();
      const byId = new Map(found.map((stored) => [stored._id, stored]));
      return ids.flatMap((id) => {
        const stored = byId.get(id);
        return stored === undefined ? [] : [toDocument(stored)];
      });
    });
  }

  create(ref: CollectionRef, id: string, source: JsonObject): Promise<void> {
    return this.run(ref, async () => {
      await this.insert(ref, id, source);
    });
  }

  /**
   * One counter step reserves the documents' places in the creation order, one ordered insertMany writes them:
   * without a replica set MongoDB has no transaction, so a failure keeps the documents inserted before it.
   */
  mCreate(ref: CollectionRef, documents: readonly NewDocument[]): Promise<void> {
    return this.run(ref, async () => {
      const last = await this.reserveOrder(ref, documents.length);
      const first = last - documents.length + 1;
      await this.collection(ref).insertMany(
        documents.map(({ id, source }, i) => stored(id, source, first + i)),
        { ordered: true },
      );
    });
  }

  replace(
    ref: CollectionRef,
    id: string,
    source: JsonObject,
    { ifVersion }: WriteCondition = {},
  ): Promise<VersionedDocument | null> {
    return this.run(ref, async () => {
      const filter = ifVersion === undefined ? { _id: id } : { _id: id, [VERSION]: ifVersion };
      // The update answers the document as it was; `o` is left alone: a replace keeps its place in the order.
      const previous = await this.collection(ref).findOneAndUpdate(
        filter,
        { $set: { s: source, ...derivedOf(source) }, $inc: { [VERSION]: 1 } },
        { returnDocument: 'before', projection: DOCUMENT_FIELDS },
      );
      if (previous !== null) return toDocument(previous);
      return this.missingOrConflict(ref, id, ifVersion);
    });
  }

  async put(ref: CollectionRef, id: string, source: JsonObject): Promise<VersionedDocument | null> {
    // Replace, else insert; a concurrent insert between the two makes the insert fail on the id: try again.
    for (;;) {
      const previous = await this.replace(ref, id, source);
      if (previous !== null) return previous;
      try {
        await this.create(ref, id, source);
        return null;
      } catch (error) {
        if (!isTesseraError(error) || error.id !== 'services.storage.document_already_exists') throw error;
      }
    }
  }

  delete(
    ref: CollectionRef,
    id: string,
    { ifVersion }: WriteCondition = {},
  ): Promise<VersionedDocument | null> {
    return this.run(ref, async () => {
      const filter = ifVersion === undefined ? { _id: id } : { _id: id, [VERSION]: ifVersion };
      const previous = await this.collection(ref).findOneAndDelete(filter, { projection: DOCUMENT_FIELDS });
      if (previous !== null) return toDocument(previous);
      return this.missingOrConflict(ref, id, ifVersion);
    });
  }

  /** Each document deleted atomically, all sent at once: a deleteMany would not say which ones this call deleted. */
  mDelete(ref: CollectionRef, ids: readonly string[]): Promise<string[]> {
    return this.run(ref, async () => {
      const collection = this.collection(ref);
      const deleted = await Promise.all(
        ids.map((id) => collection.findOneAndDelete({ _id: id }, { projection: { _id: 1 } })),
      );
      return ids.filter((_id, i) => deleted[i] !== null);
    });
  }

  search(ref: CollectionRef, query: SearchQuery): Promise<SearchPage> {
    return this.run(ref, async () => {
      const compiled = compileSearch(query.filter, query.sort, query.after);
      const collection = this.collection(ref);
      const page =
        compiled.kind === 'find'
          ? collection
              .find(compiled.filter, { projection: DOCUMENT_FIELDS, ...this.serverBound() })
              .sort(compiled.sort)
              .skip(query.from)
              .limit(query.size)
              .toArray()
          : collection
              .aggregate<StoredDocument>(
                [
                  ...compiled.pipeline,
                  { $skip: query.from },
                  { $limit: query.size },
                  { $project: DOCUMENT_FIELDS },
                ],
                this.serverBound(),
              )
              .toArray();
      // Two operations, sent together: the page and the total may see different snapshots under concurrent writes.
      if (!query.total) return { hits: (await page).map(toDocument) };
      const [hits, total] = await Promise.all([
        page,
        collection.countDocuments(compileFilter(query.filter), this.serverBound()),
      ]);
      return { hits: hits.map(toDocument), total };
    });
  }

  count(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.run(ref, () =>
      this.collection(ref).countDocuments(compileFilter(filter), this.serverBound()),
    );
  }

  deleteByQuery(ref: CollectionRef, filter: Filter): Promise<number> {
    return this.run(
      ref,
      async () =>
        (await this.collection(ref).deleteMany(compileFilter(filter), this.serverBound())).deletedCount,
    );
  }

  // -------------------------------------------------------------------------------------------------------

  /** Inserts at version 1, at the end of the creation order. */
  private async insert(ref: CollectionRef, id: string, source: JsonObject): Promise<void> {
    await this.collection(ref).insertOne(stored(id, source, await this.reserveOrder(ref, 1)));
  }

  /** Takes `count` places in the collection's creation order; answers the last. */
  private async reserveOrder(ref: CollectionRef, count: number): Promise<number> {
    const counter = await this.db()
      .collection<{ _id: string; n: number }>(COUNTERS)
      .findOneAndUpdate(
        { _id: collectionName(ref) },
        { $inc: { n: count } },
        { upsert: true, returnDocument: 'after' },
      );
    return counter?.n ?? Date.now();
  }

  /** After a write that matched nothing: null when there is no such document, a conflict when its version moved. */
  private async missingOrConflict(
    ref: CollectionRef,
    id: string,
    ifVersion: number | undefined,
  ): Promise<null> {
    if (
      ifVersion !== undefined &&
      (await this.collection(ref).countDocuments({ _id: id }, { limit: 1 })) > 0
    ) {
      throw new TesseraError('services.storage.version_conflict', [id, String(ifVersion)]);
    }
    return null;
  }

  /**
   * The server's own bound on a call that evaluates a filter (a `regexp` runs on a backtracking engine there):
   * past it the server stops the work (MaxTimeMSExpired), rather than going on after the client gave up.
   */
  private serverBound(): { maxTimeMS: number } {
    return { maxTimeMS: this.operationTimeoutMs };
  }

  private collection(ref: CollectionRef): Collection<StoredDocument> {
    return this.db().collection<StoredDocument>(collectionName(ref));
  }

  /** Runs one call; every failure is mapped in one place. */
  private async run<R>(ref: CollectionRef | undefined, work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw mapMongoError(error, ref);
    }
  }

  /** The open database; `services.storage.not_connected` while the store is not open. */
  private db(): Db {
    return this.connection.handle().db;
  }
}

/** A document as stored, at version 1, at `order` in the creation order. */
function stored(id: string, source: JsonObject, order: number): StoredDocument {
  return { _id: id, [VERSION]: 1, [ORDER]: order, s: source, ...derivedOf(source) };
}

/** A MongoStore, not yet open: the kernel opens it when it starts. */
export function createMongoStore(options: MongoStoreOptions): MongoStore {
  return new MongoStore(options);
}

/** The MongoDB collection of a store collection: the namespace (`kernel`, `plugin:<name>`), `/`, the collection. */
export function collectionName(ref: CollectionRef): string {
  return `${ref.namespace}/${ref.collection}`;
}

/** `url` with its password replaced by `***`; an unparsable URL is not shown at all, lest it hold one. */
export function maskUrl(url: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/)([^@/]*)@(.*)$/.exec(url);
  if (match === null) return /^mongodb(\+srv)?:\/\//.test(url) ? url : '(an unparsable URL)';
  const [, scheme, credentials, rest] = match;
  const colon = (credentials ?? '').indexOf(':');
  const user = colon === -1 ? credentials : `${(credentials ?? '').slice(0, colon)}:***`;
  return `${scheme}${user}@${rest}`;
}

/** The database named in the URL's path, if any. */
function databaseOf(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(url);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
