import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { apiRequest, startAuthLocal, type Harness } from './harness';

const WRONG = { kind: 'failed', message: 'wrong username or password' };

describe('logging in with the local strategy (through passport-local)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startAuthLocal();
    await h.methods.create(apiRequest(), { username: 'alice', password: 'secret-1' }, 'kuid-alice', 'local');
  });
  afterEach(() => h.close());

  it('names the kuid when the password is right', async () => {
    expect(await h.login({ username: 'alice', password: 'secret-1' })).toEqual({
      kind: 'authenticated',
      kuid: 'kuid-alice',
    });
  });

  it('answers an unknown username and a wrong password identically, after one bcrypt comparison each', async () => {
    h.calls.compare = 0;
    const unknown = await h.login({ username: 'nobody', password: 'secret-1' });
    expect(h.calls.compare).toBe(1);

    h.calls.compare = 0;
    const wrong = await h.login({ username: 'alice', password: 'secret-2' });
    expect(h.calls.compare).toBe(1);

    expect(unknown).toEqual(WRONG);
    expect(wrong).toEqual(unknown);
    // The same work: both comparisons ran against a hash of the configured cost.
    expect(h.calls.comparedCosts.slice(-2)).toEqual([4, 4]);
  });

  it('compares unknown usernames against a hash of the configured cost, whatever it is', async () => {
    const plugin = await h.restart({ bcryptCost: 6 });
    await plugin.login({ username: 'nobody', password: 'secret-1' });
    expect(h.calls.comparedCosts.at(-1)).toBe(6);
  });

  it('leaves missing fields to passport-local, which fails with "Missing credentials" before any work', async () => {
    h.calls.compare = 0;
    expect(await h.login({ username: 'alice' })).toEqual({
      kind: 'failed',
      message: 'Missing credentials',
    });
    expect(await h.login({ username: '', password: 'secret-1' })).toEqual({
      kind: 'failed',
      message: 'Missing credentials',
    });
    expect(h.calls.compare).toBe(0);
  });

  it('fails, without an error, on a password bcrypt would truncate, even when its first 72 bytes are right', async () => {
    const first72 = 'p'.repeat(72);
    await h.methods.create(apiRequest(), { username: 'bob', password: first72 }, 'kuid-bob', 'local');

    expect(await h.login({ username: 'bob', password: first72 })).toEqual({
      kind: 'authenticated',
      kuid: 'kuid-bob',
    });
    expect(await h.login({ username: 'bob', password: `${first72}-and-more` })).toEqual(WRONG);
  });

  it('fails on fields that are not strings: passport-local drops objects, verify refuses other values', async () => {
    expect(await h.login({ username: 'alice', password: { $ne: '' } })).toEqual({
      kind: 'failed',
      message: 'Missing credentials',
    });
    expect(await h.login({ username: 'alice', password: 12345 })).toEqual(WRONG);
    expect(await h.login({ username: true, password: 'secret-1' })).toEqual(WRONG);
  });

  it('is case-sensitive on the login, as Kuzzle is', async () => {
    expect(await h.login({ username: 'Alice', password: 'secret-1' })).toEqual(WRONG);
  });
});

describe('rehashing when the configured cost changes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startAuthLocal({ bcryptCost: 4 });
    await h.methods.create(apiRequest(), { username: 'alice', password: 'secret-1' }, 'kuid-alice', 'local');
  });
  afterEach(() => h.close());

  it('rehashes with the new cost at the next successful login, keeping expiry and updater', async () => {
    const [before] = await h.credentials();
    const plugin = await h.restart({ bcryptCost: 5 });
    h.clock.now += 60_000;

    expect(await plugin.login({ username: 'alice', password: 'secret-1' })).toEqual({
      kind: 'authenticated',
      kuid: 'kuid-alice',
    });

    const [after] = await h.credentials();
    expect(after?._source).toEqual({
      ...before?._source,
      hash: expect.stringMatching(/^\$2b\$05\$/),
      cost: 5,
    });
    expect(after?._source.hash).not.toBe(before?._source.hash);
    expect(await plugin.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
      kind: 'authenticated',
    });
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: 'info',
        fields: { plugin: 'auth-local', kuid: 'kuid-alice', from: 4, to: 5 },
      }),
    );
  });

  it('does not rehash after a failed login, nor when the cost is unchanged', async () => {
    const plugin = await h.restart({ bcryptCost: 5 });
    h.calls.hash = 0;
    expect(await plugin.login({ username: 'alice', password: 'wrong' })).toEqual(WRONG);
    expect((await h.credentials())[0]?._source.cost).toBe(4);

    expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
      kind: 'authenticated',
    });
    expect(h.calls.hash).toBe(0);
  });
});
