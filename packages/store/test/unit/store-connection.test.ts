/**
 * StoreConnection, the open/close life and not_connected guard the PostgreSQL and MongoDB adapters share: what
 * each gives it (create, prepare, dispose) is played here by a handle that records what was done to it.
 */
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import { StoreConnection } from '@tessera/store';

interface Handle {
  readonly serial: number;
  disposed: boolean;
}

function connection(prepare: (handle: Handle) => Promise<void> = () => Promise.resolve()) {
  const built: Handle[] = [];
  const store = new StoreConnection<Handle>({
    engine: 'TestDB',
    location: 'testdb://user:***@127.0.0.1:1/db',
    create: () => {
      const handle = { serial: built.length + 1, disposed: false };
      built.push(handle);
      return handle;
    },
    prepare,
    dispose: (handle) => {
      handle.disposed = true;
      return Promise.resolve();
    },
  });
  return { store, built };
}

async function rejection(promise: Promise<unknown>): Promise<TesseraError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!isTesseraError(caught)) throw new Error(`expected a TesseraError, got ${String(caught)}`);
  return caught;
}

describe('StoreConnection', () => {
  it('answers not_connected, naming the engine and the location, until opened, and after closing', async () => {
    const { store } = connection();
    expect(() => store.handle()).toThrow(
      expect.objectContaining({ id: 'services.storage.not_connected', status: 503 }) as Error,
    );
    await store.open();
    expect(store.handle().serial).toBe(1);
    await store.close();
    let error: unknown;
    try {
      store.handle();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ id: 'services.storage.not_connected' });
    expect(((error as TesseraError).cause as Error).message).toBe(
      'the TestDB store testdb://user:***@127.0.0.1:1/db is not open',
    );
  });

  it('opens once, and disposes of the handle on close, once', async () => {
    const { store, built } = connection();
    await store.open();
    await store.open();
    expect(built).toHaveLength(1);
    await store.close();
    await store.close();
    expect(built.map((handle) => handle.disposed)).toEqual([true]);
  });

  it('refuses to open with cannot_connect naming the engine, the location and the reason, and disposes', async () => {
    const { store, built } = connection(() =>
      Promise.reject(Object.assign(new Error(''), { code: 'ECONNREFUSED' })),
    );
    const error = await rejection(store.open());
    expect(error.id).toBe('services.storage.cannot_connect');
    expect(error.message).toBe('Cannot connect to TestDB at testdb://user:***@127.0.0.1:1/db: ECONNREFUSED');
    expect(built.map((handle) => handle.disposed)).toEqual([true]);
    expect(() => store.handle()).toThrow(
      expect.objectContaining({ id: 'services.storage.not_connected' }) as Error,
    );
  });

  it('reads a not_connected from prepare as cannot_connect, and lets any other catalog error through', async () => {
    const lost = connection(() => Promise.reject(new TesseraError('services.storage.not_connected')));
    expect((await rejection(lost.store.open())).id).toBe('services.storage.cannot_connect');

    const newer = new TesseraError('services.storage.unexpected_error');
    const refused = connection(() => Promise.reject(newer));
    expect(await rejection(refused.store.open())).toBe(newer);
    expect(refused.built.map((handle) => handle.disposed)).toEqual([true]);
  });

  it('can open again after a failed attempt', async () => {
    let attempts = 0;
    const { store, built } = connection(() =>
      ++attempts === 1 ? Promise.reject(new Error('not yet')) : Promise.resolve(),
    );
    expect((await rejection(store.open())).message).toContain('not yet');
    await store.open();
    expect(store.handle()).toBe(built[1]);
  });
});
