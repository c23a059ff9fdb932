/**
 * MongoStore on a real MongoDB: the Store conformance suite, in a database of each adapter's own, when
 * MONGODB_URL names a server (`MONGODB_URL=mongodb://127.0.0.1:27017 npm test`). Without it the suite is
 * reported as skipped, saying so: no server is faked. What needs no server runs always.
 */
import { TesseraError } from '@tessera/plugin-sdk';
import type { StoreAdapter } from '@tessera/store';
import { MongoStore, maskUrl } from '@tessera/storage-mongodb';
import { describeStoreConformance } from '@tessera/testing';
import { MongoClient } from 'mongodb';
import { mapMongoError } from '../../src/internal/map-mongo-error';

const url = process.env['MONGODB_URL'];
const run = `${process.pid}_${Date.now().toString(36)}`;
let databases = 0;

if (url === undefined || url === '') {
  describe.skip('Store conformance: mongodb (skipped: set MONGODB_URL to run it on a real MongoDB)', () => {
    it('needs MONGODB_URL', () => undefined);
  });
  console.warn(
    'MongoStore conformance skipped: MONGODB_URL is not set (e.g. MONGODB_URL=mongodb://127.0.0.1:27017)',
  );
} else {
  const fresh = () => new MongoStore({ url, database: `tessera_test_${run}_${++databases}`, poolSize: 4 });
  const dropDatabase = async (adapter: StoreAdapter) => {
    const client = new MongoClient(url);
    try {
      await client.db((adapter as MongoStore).database).dropDatabase();
    } finally {
      await client.close();
    }
  };
  describeStoreConformance('mongodb', fresh, dropDatabase, {
    reopen: (closed) => new MongoStore({ url, database: (closed as MongoStore).database }),
  });
}

describe('MongoStore without a server', () => {
  it('refuses to open, naming the engine and the URL without its password', async () => {
    const store = new MongoStore({
      url: 'mongodb://tessera:s3cret@127.0.0.1:1/db',
      connectionTimeoutMs: 200,
    });
    const error = await store.open().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).id).toBe('services.storage.cannot_connect');
    expect((error as TesseraError).message).toContain('MongoDB');
    expect((error as TesseraError).message).toContain('mongodb://tessera:***@127.0.0.1:1/db');
    expect((error as TesseraError).message).not.toContain('s3cret');
    expect(await store.ping()).toBe(false);
  });

  it('answers not_connected when not open', async () => {
    const store = new MongoStore({ url: 'mongodb://127.0.0.1:1' });
    await expect(store.get({ namespace: 'kernel', collection: 'users' }, 'a')).rejects.toMatchObject({
      id: 'services.storage.not_connected',
    });
  });

  it('reads the database from the URL, else uses tessera', () => {
    expect(new MongoStore({ url: 'mongodb://h:1/accounts?authSource=admin' }).database).toBe('accounts');
    expect(new MongoStore({ url: 'mongodb://h:1' }).database).toBe('tessera');
    expect(new MongoStore({ url: 'mongodb://h:1/x', database: 'y' }).database).toBe('y');
  });

  it('masks passwords, and never shows what it cannot parse', () => {
    expect(maskUrl('mongodb+srv://u:p@cluster.example/db')).toBe('mongodb+srv://u:***@cluster.example/db');
    expect(maskUrl('mongodb://u@h/db')).toBe('mongodb://u@h/db');
    expect(maskUrl('mongodb://h:27017')).toBe('mongodb://h:27017');
    expect(maskUrl('not a url with:secret@host')).toBe('(an unparsable URL)');
  });
});

describe('mapMongoError', () => {
  const ref = { namespace: 'kernel', collection: 'users' };
  const duplicate = (keyPattern: object) => Object.assign(new Error('E11000'), { code: 11000, keyPattern });

  it('maps a duplicate id and a duplicate unique value to their catalog errors', () => {
    expect(mapMongoError(duplicate({ _id: 1 }), ref).id).toBe('services.storage.document_already_exists');
    const unique = mapMongoError(duplicate({ 's.email': 1 }), ref);
    expect(unique.id).toBe('services.storage.unique_violation');
    expect(unique.message).toContain('email');
  });

  it('maps a lost or unreachable server to not_connected (503)', () => {
    for (const name of ['MongoNetworkError', 'MongoServerSelectionError', 'MongoTopologyClosedError']) {
      const error = Object.assign(new Error('lost'), { name });
      expect(mapMongoError(error, ref)).toMatchObject({ id: 'services.storage.not_connected', status: 503 });
    }
    const primaryStepped = Object.assign(new Error('not primary'), { code: 10107 });
    expect(mapMongoError(primaryStepped, ref).id).toBe('services.storage.not_connected');
  });

  it('maps anything else to unexpected_error, and keeps catalog errors as they are', () => {
    expect(mapMongoError(new Error('odd'), ref).id).toBe('services.storage.unexpected_error');
    const conflict = new TesseraError('services.storage.version_conflict', ['a', '1']);
    expect(mapMongoError(conflict, ref)).toBe(conflict);
  });
});
