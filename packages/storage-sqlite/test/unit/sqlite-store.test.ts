/**
 * SqliteStore: the Store conformance suite on a real database file (a fresh one per adapter) and in memory,
 * plus what only SQLite has: the file, its WAL, its folder, persistence across connections.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { createStorageNamespace, parseFilter, type Filter, type StoreAdapter } from '@tessera/store';
import { SqliteStore, createSqliteStore } from '@tessera/storage-sqlite';
import { describeStoreConformance } from '@tessera/testing';
import { compileFilter } from '../../src/internal/compile-query';
import { documents } from '../../src/internal/names';

const root = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
const freshFile = () => join(root, `store-${++files}`, 'tessera.db');
const pathOf = (adapter: StoreAdapter) => (adapter as SqliteStore).path;

describeStoreConformance(
  'sqlite (file)',
  () => createSqliteStore({ path: freshFile() }),
  (adapter) => {
    rmSync(dirname(pathOf(adapter)), { recursive: true, force: true });
    return Promise.resolve();
  },
  { reopen: (closed) => new SqliteStore({ path: pathOf(closed) }) },
);

describeStoreConformance('sqlite (:memory:)', () => new SqliteStore({ path: ':memory:' }));

describe('SqliteStore', () => {
  it('creates the missing folders of its file, and the file, in WAL mode', async () => {
    const path = join(root, 'deep', 'er', 'tessera.db');
    const store = createSqliteStore({ path });
    expect(existsSync(join(root, 'deep'))).toBe(false);
    await store.open();
    try {
      const users = await createStorageNamespace(store, 'kernel').collection('users');
      await users.create({ name: 'Ada' }, 'ada');
      expect(existsSync(path)).toBe(true);
      expect(existsSync(`${path}-wal`)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('sees what another connection to the same file wrote', async () => {
    const path = freshFile();
    const writer = createSqliteStore({ path });
    const reader = createSqliteStore({ path });
    await writer.open();
    await reader.open();
    try {
      const written = await createStorageNamespace(writer, 'kernel').collection('users');
      const read = await createStorageNamespace(reader, 'kernel').collection('users');
      await written.create({ name: 'Ada' }, 'ada');
      expect((await read.get('ada'))?._source).toEqual({ name: 'Ada' });
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('keeps documents after close and reopen', async () => {
    const path = freshFile();
    const first = createSqliteStore({ path });
    await first.open();
    await (await createStorageNamespace(first, 'plugin:a').collection('users')).create({ n: 1 }, 'one');
    await first.close();
    const second = createSqliteStore({ path });
    await second.open();
    try {
      expect(await (await createStorageNamespace(second, 'plugin:a').collection('users')).get('one')).toEqual(
        {
          _id: 'one',
          _source: { n: 1 },
        },
      );
    } finally {
      await second.close();
    }
  });

  it('answers ping while open, not once closed, and can be opened and closed twice', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    expect(store.engine).toBe('sqlite');
    expect(await store.ping()).toBe(false);
    await store.open();
    await store.open();
    expect(await store.ping()).toBe(true);
    await store.close();
    await store.close();
    expect(await store.ping()).toBe(false);
  });

  it('refuses to work while closed, with a 503 the client may retry', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await expect(store.get({ namespace: 'kernel', collection: 'users' }, 'a')).rejects.toMatchObject({
      id: 'services.storage.not_connected',
      status: 503,
    });
  });

  it('maps engine errors to unexpected_error, keeping the original as cause', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.open();
    try {
      // No ensureCollection: the table does not exist.
      const error: unknown = await store
        .get({ namespace: 'kernel', collection: 'never' }, 'a')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        id: 'services.storage.unexpected_error',
        status: 500,
        code: 0x01010023,
        message: 'Unexpected storage error; the server logs have the details.',
      });
      // Matched by shape: under jest the native addon's errors may come from another realm than `Error`.
      expect((error as Error).cause).toMatchObject({
        code: 'SQLITE_ERROR',
        message: expect.stringMatching(/no such table/),
      });
    } finally {
      await store.close();
    }
  });

  it('refuses a unique field added over stored duplicates, and a later call may retry', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.open();
    try {
      const storage = createStorageNamespace(store, 'kernel');
      const plain = await storage.collection('users');
      await plain.create({ email: 'a@example.com' }, 'one');
      await plain.create({ email: 'a@example.com' }, 'two');
      await expect(storage.collection('users', { unique: ['email'] })).rejects.toMatchObject({
        id: 'services.storage.unique_violation',
        props: ['users', 'email'],
      });
      await plain.delete('two');
      const strict = await storage.collection('users', { unique: ['email'] });
      await expect(strict.create({ email: 'a@example.com' })).rejects.toMatchObject({
        id: 'services.storage.unique_violation',
      });
    } finally {
      await store.close();
    }
  });

  it('migrates tables of the first layout at open: documents, unique fields, id order as creation order', async () => {
    const path = freshFile();
    mkdirSync(dirname(path), { recursive: true });
    // The first layout, as version 0.1 wrote it.
    const old = new Database(path);
    old.exec(`CREATE TABLE "plugin:a/users" (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX "plugin:a/users/unique/email"
        ON "plugin:a/users" (json_type(body, '$."email"'), json_extract(body, '$."email"'));
      INSERT INTO "plugin:a/users" VALUES ('zed', '{"email":"z@example.com"}'), ('amy', '{"email":"a@example.com"}');`);
    old.close();

    const store = createSqliteStore({ path });
    await store.open();
    try {
      const users = await createStorageNamespace(store, 'plugin:a').collection('users');
      expect(await users.getVersioned('zed')).toEqual({
        _id: 'zed',
        _source: { email: 'z@example.com' },
        _version: 1,
      });
      expect((await users.search()).hits.map((hit) => hit._id)).toEqual(['amy', 'zed']);
      await expect(users.create({ email: 'a@example.com' })).rejects.toMatchObject({
        id: 'services.storage.unique_violation',
        props: ['users', 'email'],
      });
      await users.create({ email: 'new@example.com' }, 'new');
      expect((await users.search()).hits.map((hit) => hit._id)).toEqual(['amy', 'zed', 'new']);
    } finally {
      await store.close();
    }
  });

  it('answers term, terms and range on declared fields from their index', async () => {
    const path = freshFile();
    const store = createSqliteStore({ path });
    await store.open();
    const ref = { namespace: 'kernel', collection: 'tokens' };
    try {
      await createStorageNamespace(store, 'kernel').collection('tokens', {
        unique: ['hash'],
        indexed: ['kuid', 'expiresAt', 'active'],
      });
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    const declared = new Set(['hash', 'kuid', 'expiresAt', 'active']);
    const plan = (filter: Filter) => {
      const where = compileFilter(filter, declared);
      const query = `EXPLAIN QUERY PLAN SELECT id FROM ${documents(ref).text} WHERE ${where.text}`;
      return (db.prepare(query).all(...where.params) as { detail: string }[])
        .map((row) => row.detail)
        .join(' | ');
    };
    try {
      expect(plan(parseFilter({ term: { hash: 'abc' } }))).toMatch(
        /USING INDEX kernel\/tokens\/unique\/hash/,
      );
      expect(plan(parseFilter({ term: { kuid: 'ada' } }))).toMatch(/USING INDEX kernel\/tokens\/index\/kuid/);
      expect(plan(parseFilter({ terms: { kuid: ['ada', 'alan'] } }))).toMatch(
        /USING INDEX kernel\/tokens\/index\/kuid/,
      );
      expect(plan(parseFilter({ term: { active: true } }))).toMatch(
        /USING INDEX kernel\/tokens\/index\/active/,
      );
      expect(plan(parseFilter({ range: { expiresAt: { gte: 0, lte: 10 } } }))).toMatch(
        /USING INDEX kernel\/tokens\/index\/expiresAt/,
      );
      expect(
        plan(parseFilter({ bool: { filter: [{ term: { kuid: 'ada' } }, { term: { type: 'x' } }] } })),
      ).toMatch(/USING INDEX kernel\/tokens\/index\/kuid/);
      // A bound of the field's own type closes its end of the index search: no type bound beside it, which
      // SQLite could pick instead (`< ''` visits every number below the bound).
      const typeBounds = (filter: Filter) => compileFilter(filter, declared).text.match(/''/g)?.length ?? 0;
      expect(typeBounds(parseFilter({ range: { expiresAt: { lt: 10 } } }))).toBe(0);
      expect(typeBounds(parseFilter({ range: { expiresAt: { gt: 10 } } }))).toBe(1);
      expect(typeBounds(parseFilter({ range: { kuid: { gte: 'a', lt: 'b' } } }))).toBe(0);
      expect(typeBounds(parseFilter({ range: { kuid: { lt: 'b' } } }))).toBe(1);
      // An undeclared field is a scan.
      expect(plan(parseFilter({ term: { type: 'x' } }))).toMatch(/^SCAN doc/);
    } finally {
      db.close();
    }
  });
});
