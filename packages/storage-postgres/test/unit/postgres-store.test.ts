/**
 * PostgresStore: the Store conformance suite on a real PostgreSQL, in a database of this file's own and a fresh
 * schema per adapter, plus what only PostgreSQL has: schemas, long names, the schema version, indexes the
 * planner uses, and a refusal to open that names the engine and the URL without its password.
 */
import { createStorageNamespace, parseFilter, type Filter, type StoreAdapter } from '@tessera/store';
import { PostgresStore, createPostgresStore, maskUrl } from '@tessera/storage-postgres';
import { createTestDatabase, describeStoreConformance, type TestDatabase } from '@tessera/testing';
import { compileFilter } from '../../src/internal/compile-query';
import { documents } from '../../src/internal/names';
import { render } from '../../src/internal/sql';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

let schemas = 0;
const fresh = () => new PostgresStore({ url: database.url, schema: `store_${++schemas}`, poolSize: 4 });
const dropSchema = async (adapter: StoreAdapter) => {
  await database.query(`DROP SCHEMA IF EXISTS "${(adapter as PostgresStore).schema}" CASCADE`);
};

describeStoreConformance('postgres', fresh, dropSchema, {
  reopen: (closed) => new PostgresStore({ url: database.url, schema: (closed as PostgresStore).schema }),
});

describe('PostgresStore', () => {
  it('keeps same-named collections of two schemas apart', async () => {
    const [a, b] = [fresh(), fresh()];
    await a.open();
    await b.open();
    try {
      await (await createStorageNamespace(a, 'kernel').collection('users')).create({ n: 'a' }, 'same');
      const inB = await createStorageNamespace(b, 'kernel').collection('users');
      expect(await inB.get('same')).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('names tables and indexes past 63 bytes without collisions', async () => {
    const store = fresh();
    await store.open();
    try {
      const long = `plugin:${'p'.repeat(60)}`;
      const storage = createStorageNamespace(store, long);
      const first = await storage.collection(`c${'x'.repeat(61)}a`, { unique: [`${'f'.repeat(70)}.a`] });
      const second = await storage.collection(`c${'x'.repeat(61)}b`, { unique: [`${'f'.repeat(70)}.a`] });
      await first.create({ [`${'f'.repeat(70)}`]: { a: 1 } }, 'one');
      await second.create({ [`${'f'.repeat(70)}`]: { a: 1 } }, 'one');
      await expect(first.create({ [`${'f'.repeat(70)}`]: { a: 1 } })).rejects.toMatchObject({
        id: 'services.storage.unique_violation',
        props: [`c${'x'.repeat(61)}a`, `${'f'.repeat(70)}.a`],
      });
      expect(await second.count()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema written by a newer version', async () => {
    const store = fresh();
    await store.open();
    await store.close();
    await database.query(`INSERT INTO "${store.schema}".tessera_schema (version) VALUES (99)`);
    await expect(store.open()).rejects.toMatchObject({
      id: 'services.storage.unexpected_error',
      cause: { message: expect.stringMatching(/version 99, written by a newer Tessera/) },
    });
  });

  it('refuses to open an unreachable database, naming the engine and the URL without its password', async () => {
    // Nothing listens on port 1.
    const store = createPostgresStore({
      url: 'postgres://tessera:s3cret@127.0.0.1:1/tessera',
      connectionTimeoutMs: 1000,
    });
    const error: unknown = await store.open().catch((e: unknown) => e);
    expect(error).toMatchObject({ id: 'services.storage.cannot_connect' });
    const { message } = error as Error;
    expect(message).toMatch(
      /^Cannot connect to PostgreSQL at postgres:\/\/tessera:\*\*\*@127\.0\.0\.1:1\/tessera: /,
    );
    expect(message).not.toContain('s3cret');
    expect(await store.ping()).toBe(false);
  });

  it('masks passwords, and hides a URL it cannot parse', () => {
    expect(maskUrl('postgres://u:p%40ss@db:5432/x?sslmode=require')).toBe(
      'postgres://u:***@db:5432/x?sslmode=require',
    );
    expect(maskUrl('postgres://db/x')).toBe('postgres://db/x');
    expect(maskUrl('host=db password=secret')).toBe('(an unparsable URL)');
  });

  it('answers term, terms and numeric range on declared fields from their index', async () => {
    const store = fresh();
    await store.open();
    const ref = { namespace: 'kernel', collection: 'tokens' };
    try {
      const tokens = await createStorageNamespace(store, 'kernel').collection('tokens', {
        unique: ['hash'],
        indexed: ['kuid', 'expiresAt'],
      });
      for (let n = 0; n < 2000; n++)
        await tokens.create({ hash: `h${n}`, kuid: `u${n % 500}`, expiresAt: n, type: 'x' });
      await database.query(`ANALYZE "${store.schema}"."kernel/tokens"`);
      const declared = new Set(['hash', 'kuid', 'expiresAt']);
      const plan = async (filter: Filter) => {
        const where = render(compileFilter(filter, declared));
        const from = render(documents(store.schema, ref)).text;
        const rows = await database.query(`EXPLAIN SELECT id FROM ${from} WHERE ${where.text}`, where.values);
        return rows.map((row) => String(row['QUERY PLAN'])).join('\n');
      };
      expect(await plan(parseFilter({ term: { hash: 'h7' } }))).toMatch(
        /Index Scan using "kernel\/tokens\/unique\/hash"/,
      );
      expect(await plan(parseFilter({ term: { kuid: 'u7' } }))).toMatch(
        /Index Scan using "kernel\/tokens\/index\/kuid"|Bitmap Index Scan on "kernel\/tokens\/index\/kuid"/,
      );
      expect(await plan(parseFilter({ terms: { kuid: ['u1', 'u2'] } }))).toMatch(
        /kernel\/tokens\/index\/kuid/,
      );
      expect(await plan(parseFilter({ range: { expiresAt: { gte: 10, lte: 20 } } }))).toMatch(
        /kernel\/tokens\/index\/expiresAt/,
      );
      expect(await plan(parseFilter({ term: { type: 'x' } }))).toMatch(/Seq Scan/);
    } finally {
      await store.close();
    }
  });
});
