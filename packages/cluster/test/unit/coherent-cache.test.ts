/**
 * CoherentCache on a node whose subscription is cut (the loopback network plays it): what it cached before the
 * cut keeps serving until its own lifetime ends, counted from the read that produced it; nothing new is cached
 * and nothing is extended; an invalidation sent meanwhile is lost, so a revoked entry dies with its lifetime;
 * once restored, a new epoch starts every cache empty. Lifetimes are measured on a clock the test moves.
 */
import { describe, expect, it } from '@jest/globals';
import { CoherentCache, createLoopbackNetwork } from '../../src';

const BOUND = 5_000;

interface Value {
  readonly v: string;
}

/** A shared source of truth (the database, Redis) that counts its reads. */
class Source {
  readonly values = new Map<string, string>();
  reads = 0;
  load = (key: string) => (): Promise<Value | null> => {
    this.reads += 1;
    const v = this.values.get(key);
    return Promise.resolve(v === undefined ? null : { v });
  };
}

function cluster(stalenessBound = BOUND) {
  const network = createLoopbackNetwork({ stalenessBound });
  // Not 0: lru-cache reads a start of 0 as "no lifetime".
  let now = 1_000_000;
  const clock = () => now;
  const node = (id: string) => {
    const bus = network.join(id);
    return { bus, cache: new CoherentCache<Value>({ name: 'things', bus, max: 10, clock }) };
  };
  return {
    a: node('a'),
    b: node('b'),
    source: new Source(),
    advance: (ms: number) => void (now += ms),
  };
}

describe('CoherentCache on a node whose subscription is cut', () => {
  it('serves what it cached before the cut until stalenessBound after the read, then reads the source', async () => {
    const { a, source, advance } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    advance(1_000);
    a.bus.cutSubscription();

    advance(BOUND - 1_001);
    expect(await a.cache.read('k', source.load('k'))).toEqual({ v: 'one' });
    expect(source.reads).toBe(1);

    advance(2);
    expect(await a.cache.read('k', source.load('k'))).toEqual({ v: 'one' });
    expect(source.reads).toBe(2);
  });

  it('caches nothing new while cut: neither a read nor a set', async () => {
    const { a, source } = cluster();
    source.values.set('k', 'one');
    a.bus.cutSubscription();
    await a.cache.read('k', source.load('k'));
    await a.cache.read('k', source.load('k'));
    expect(source.reads).toBe(2);

    a.cache.set('created', { v: 'new' });
    expect(a.cache.get('created')).toBeUndefined();
  });

  it('extends nothing while cut: an entry read again and again still dies at its bound', async () => {
    const { a, source, advance } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    a.bus.cutSubscription();
    for (let i = 0; i < 4; i++) {
      advance(BOUND / 4 - 1);
      expect(a.cache.get('k')).toEqual({ v: 'one' });
    }
    advance(5);
    expect(a.cache.get('k')).toBeUndefined();
    expect(a.cache.peek('k')).toBeUndefined();
  });

  it('does not keep a read that started before the cut and ended during it', async () => {
    const { a, source } = cluster();
    source.values.set('k', 'one');
    let finish: () => void = () => {};
    const reading = a.cache.read('k', async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return source.load('k')();
    });
    a.bus.cutSubscription();
    finish();
    expect(await reading).toEqual({ v: 'one' });
    a.bus.restoreSubscription();
    await a.cache.read('k', source.load('k'));
    expect(source.reads).toBe(2);
  });

  it('does not keep a read that started during the cut and ended after the restore', async () => {
    const { a, source } = cluster();
    source.values.set('k', 'one');
    a.bus.cutSubscription();
    let finish: () => void = () => {};
    const reading = a.cache.read('k', async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return source.load('k')();
    });
    a.bus.restoreSubscription();
    finish();
    await reading;
    await a.cache.read('k', source.load('k'));
    expect(source.reads).toBe(2);
  });

  it('stops honouring an entry invalidated elsewhere during the cut at most stalenessBound after its read', async () => {
    const { a, b, source, advance } = cluster();
    source.values.set('token', 'valid');
    await a.cache.read('token', source.load('token')); // read at 0
    advance(2_000);
    a.bus.cutSubscription();

    // B revokes: the source forgets the record, and the invalidation to A is lost.
    source.values.delete('token');
    const revoked = b.cache.invalidate(['token']);
    advance(1_000);
    expect(await a.cache.read('token', source.load('token'))).toEqual({ v: 'valid' });

    advance(BOUND - 3_000); // the bound itself: still served
    expect(await a.cache.read('token', source.load('token'))).toEqual({ v: 'valid' });
    advance(1);
    expect(await a.cache.read('token', source.load('token'))).toBeNull();
    a.bus.restoreSubscription();
    await revoked;
  });

  it('holds a publish from another node until the cut node is restored, its caches then empty', async () => {
    const { a, b, source } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    a.bus.cutSubscription();
    const order: string[] = [];
    const invalidated = b.cache.invalidate(['k']).then(() => void order.push('published'));
    await new Promise((resolve) => setImmediate(resolve));
    order.push('restored');
    a.bus.restoreSubscription();
    await invalidated;
    expect(order).toEqual(['restored', 'published']);
    expect(a.cache.get('k')).toBeUndefined();
    await a.cache.read('k', source.load('k'));
    await a.cache.read('k', source.load('k'));
    expect(source.reads).toBe(2);
  });

  it('resolves a publish to a node cut for good once stalenessBound has passed since the cut', async () => {
    const { a, b } = cluster(20);
    a.bus.cutSubscription();
    await b.cache.invalidate(['k']);
    expect(a.bus.cacheState().fresh).toBe(false);
  });

  it('starts a new epoch on restore: what was cached before the cut is gone', async () => {
    const { a, source, advance } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    const epoch = a.bus.cacheState().epoch;
    a.bus.cutSubscription();
    advance(10);
    a.bus.restoreSubscription();
    expect(a.bus.cacheState()).toEqual({ fresh: true, epoch: epoch + 1 });
    expect(a.cache.get('k')).toBeUndefined();
    await a.cache.read('k', source.load('k'));
    expect(a.cache.get('k')).toEqual({ v: 'one' });
    expect(source.reads).toBe(2);
  });

  it('uses nothing it cached while cut when the bus has no bound to count lifetimes with', async () => {
    const { a, source } = cluster(0);
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    expect(a.cache.get('k')).toEqual({ v: 'one' });
    a.bus.cutSubscription();
    expect(a.cache.get('k')).toBeUndefined();
    await a.cache.read('k', source.load('k'));
    expect(source.reads).toBe(2);
  });
});

describe('CoherentCache on a node that hears the others', () => {
  it('forgets what another node invalidates before that publish resolves', async () => {
    const { a, b, source } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    source.values.set('k', 'two');
    await b.cache.invalidate(['k']);
    expect(await a.cache.read('k', source.load('k'))).toEqual({ v: 'two' });
  });

  it('expires an entry stalenessBound after the read that produced it', async () => {
    const { a, source, advance } = cluster();
    source.values.set('k', 'one');
    await a.cache.read('k', source.load('k'));
    advance(BOUND);
    expect(a.cache.get('k')).toEqual({ v: 'one' });
    advance(1);
    expect(a.cache.get('k')).toBeUndefined();
  });
});
