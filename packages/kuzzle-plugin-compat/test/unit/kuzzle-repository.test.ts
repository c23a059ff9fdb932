import { createStorageNamespace } from '@tessera/store';
import { createSqliteStore } from '@tessera/storage-sqlite';
import { createKuzzleStorage } from '../../src/kuzzle-repository';

/** A real SQLite store in memory, the plugin's namespace on it, and a clock the test moves. */
async function storageAt(clock: { now: number }) {
  const adapter = createSqliteStore({ path: ':memory:' });
  await adapter.open();
  const storage = createKuzzleStorage(createStorageNamespace(adapter, 'plugin:kuzzle-test'), () => clock.now);
  return { storage, close: () => adapter.close() };
}

class Credentials {
  _id?: string;
  kuid?: string;
}

describe("a Kuzzle plugin's repository", () => {
  const clock = { now: 1_000 };
  let storage: Awaited<ReturnType<typeof storageAt>>['storage'];
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ storage, close } = await storageAt(clock));
    await storage.accessors.bootstrap({ users: { properties: { kuid: { type: 'keyword' } } }, config: {} });
  });

  afterEach(() => close());

  it('stamps _kuzzle_info on create and moves only updatedAt on update', async () => {
    const users = new storage.Repository('users', Credentials);
    const created = await users.create({ _id: 'alice', kuid: 'k-alice' });
    expect(created).toMatchObject({
      _id: 'alice',
      _version: 1,
      _source: { kuid: 'k-alice', _kuzzle_info: { createdAt: 1_000, updatedAt: null } },
    });
    clock.now = 5_000;
    await users.update({ _id: 'alice', kuid: 'k-alice-2' });
    const read = await users.get('alice');
    expect(read).toBeInstanceOf(Credentials);
    expect(read).toMatchObject({
      _id: 'alice',
      kuid: 'k-alice-2',
      _kuzzle_info: { createdAt: 1_000, updatedAt: 5_000 },
    });
  });

  it('answers null for a missing user and services.storage.not_found elsewhere, as Kuzzle does', async () => {
    await expect(new storage.Repository('users').get('nobody')).resolves.toBeNull();
    await expect(new storage.Repository('config').get('nothing')).rejects.toMatchObject({
      id: 'services.storage.not_found',
    });
    await new storage.Repository('config').create({ _id: 'secret', value: 1 });
    await expect(new storage.Repository('config').create({ _id: 'secret', value: 2 })).rejects.toMatchObject({
      id: 'services.storage.document_already_exists',
    });
  });

  it('makes a match on a keyword field, or on _id, exact, as Elasticsearch does there', async () => {
    const users = new storage.Repository('users');
    await users.create({ _id: 'alice', kuid: 'abc' });
    await users.create({ _id: 'ali', kuid: 'ab' });
    const byKuid = await users.search({ query: { match: { kuid: 'ab' } } });
    expect(byKuid.total).toBe(1);
    expect(byKuid.hits[0]).toMatchObject({ _id: 'ali' });
    const byId = await users.search({ query: { bool: { filter: [{ match: { _id: { query: 'ali' } } }] } } });
    expect(byId.hits.map((hit) => (hit as { _id: string })._id)).toEqual(['ali']);
  });

  it('deletes, and says when there was nothing to delete', async () => {
    const users = new storage.Repository('users');
    await users.create({ _id: 'alice', kuid: 'abc' });
    await users.delete('alice');
    await expect(users.delete('alice')).rejects.toMatchObject({ id: 'services.storage.not_found' });
  });
});
