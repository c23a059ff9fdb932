/**
 * createUserWithCredentials is all or nothing: checks before any write, a rollback for each failure after one
 * (credentials created so far, then the user document), the original error for the caller, `user:created`
 * only once everything is in place, and concurrent creations with one username that leave exactly one user.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isTesseraError, type DocumentCollection, type JsonObject } from '@tessera/plugin-sdk';
import { createUserWithCredentials, type NewUser } from '../../src/security/user-creation';
import {
  ADMIN,
  openHarness,
  requestBy,
  type Harness,
  type TestCredentials,
} from './security-services-fixture';

let harness: Harness;
let test: DocumentCollection<TestCredentials>;
let other: DocumentCollection<TestCredentials>;

beforeEach(async () => {
  harness = await openHarness();
  test = await harness.addStrategy('test');
  other = await harness.addStrategy('other');
});

afterEach(async () => {
  await harness.close();
});

const create = (user: NewUser) => createUserWithCredentials(harness.services, requestBy(), user);

const alice = (credentials: Record<string, JsonObject>, id?: string): NewUser => ({
  id,
  content: { profileIds: ['default'], name: 'Alice' },
  credentials,
});

/** The error `promise` rejects with, checked to be a catalog error. */
async function failure(promise: Promise<unknown>): Promise<{ id: string; status: number }> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!isTesseraError(error)) throw new Error(`expected a catalog error, got ${String(error)}`);
  return error;
}

async function credentialsIn(store: DocumentCollection<TestCredentials>): Promise<TestCredentials[]> {
  return (await store.search({}, { size: 100 })).hits.map((hit) => hit._source);
}

const eventNames = () => harness.events.map(({ event }) => event);

describe('createUserWithCredentials, when it succeeds', () => {
  it('creates the user, then the credentials of every strategy, and answers without any credential', async () => {
    const user = await create(
      alice({
        test: { username: 'alice', password: 'secret-1' },
        other: { username: 'alice2', password: 'secret-2' },
      }),
    );

    expect(user._id).toMatch(/^kuid-/);
    expect(user._source).toEqual({
      profileIds: ['default'],
      name: 'Alice',
      _kuzzle_info: expect.objectContaining({ author: ADMIN._id }),
    });
    expect(await harness.services.accounts.users.get(user._id)).toEqual(user);
    expect(await credentialsIn(test)).toEqual([{ username: 'alice', password: 'secret-1', kuid: user._id }]);
    expect(await credentialsIn(other)).toEqual([
      { username: 'alice2', password: 'secret-2', kuid: user._id },
    ]);
  });

  it('uses the _id it is given', async () => {
    const user = await create(alice({ test: { username: 'alice', password: 'secret' } }, 'alice-kuid'));

    expect(user._id).toBe('alice-kuid');
    expect(await credentialsIn(test)).toEqual([expect.objectContaining({ kuid: 'alice-kuid' })]);
  });

  it('emits user:created with the kuid and the author, after the credentials are in place', async () => {
    const user = await create(alice({ test: { username: 'alice', password: 'secret' } }));

    expect(harness.events).toEqual([
      { event: 'credentials:created', payload: { kuid: user._id, strategy: 'test', author: ADMIN._id } },
      { event: 'user:created', payload: { kuid: user._id, author: ADMIN._id } },
    ]);
  });
});

describe('createUserWithCredentials, refusing before any write', () => {
  it('refuses an unknown strategy', async () => {
    const error = await failure(create(alice({ test: { username: 'alice', password: 'x' }, nope: {} })));

    expect(error.id).toBe('security.credentials.unknown_strategy');
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([]);
    expect(harness.events).toEqual([]);
  });

  it('refuses credentials a strategy rejects, whichever strategy it is', async () => {
    const error = await failure(
      create(
        alice({
          test: { username: 'alice', password: 'fine' },
          other: { username: 'alice', password: 'weak' },
        }),
      ),
    );

    expect(error).toMatchObject({ id: 'security.credentials.rejected', status: 400 });
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([]);
    expect(harness.events).toEqual([]);
  });

  it('refuses an _id that has credentials but no user: database_inconsistency', async () => {
    await test.create({ username: 'ghost', password: 'x', kuid: 'ghost-kuid' });

    const error = await failure(create(alice({ test: { username: 'alice', password: 'x' } }, 'ghost-kuid')));

    expect(error).toMatchObject({ id: 'security.credentials.database_inconsistency', status: 500 });
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([{ username: 'ghost', password: 'x', kuid: 'ghost-kuid' }]);
  });

  it('refuses an _id taken by a user: already_exists, and leaves that user and its credentials alone', async () => {
    await create(alice({ test: { username: 'alice', password: 'first' } }, 'alice-kuid'));

    const error = await failure(
      create(alice({ test: { username: 'other-alice', password: 'x' } }, 'alice-kuid')),
    );

    expect(error).toMatchObject({ id: 'security.user.already_exists', status: 412 });
    expect(await harness.userCount()).toBe(1);
    expect(await credentialsIn(test)).toEqual([{ username: 'alice', password: 'first', kuid: 'alice-kuid' }]);
  });

  it('writes no credentials when the user document is refused (unknown profile)', async () => {
    const user = {
      ...alice({ test: { username: 'alice', password: 'x' } }),
      content: { profileIds: ['nope'] },
    };

    const error = await failure(create(user));

    expect(error.id).toBe('security.profile.not_found');
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([]);
  });
});

describe('createUserWithCredentials, rolling back after a write', () => {
  it('deletes the user when the first strategy fails to create its credentials', async () => {
    await test.create({ username: 'alice', password: 'x', kuid: 'someone-else' });

    const error = await failure(create(alice({ test: { username: 'alice', password: 'y' } })));

    expect(error.id).toBe('services.storage.unique_violation');
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([{ username: 'alice', password: 'x', kuid: 'someone-else' }]);
    expect(eventNames()).not.toContain('user:created');
  });

  it("deletes the earlier strategies' credentials, then the user, when a later strategy fails", async () => {
    await other.create({ username: 'taken', password: 'x', kuid: 'someone-else' });

    const error = await failure(
      create(
        alice({ test: { username: 'alice', password: 'y' }, other: { username: 'taken', password: 'y' } }),
      ),
    );

    expect(error.id).toBe('services.storage.unique_violation');
    expect(await harness.userCount()).toBe(0);
    expect(await credentialsIn(test)).toEqual([]);
    expect(await credentialsIn(other)).toEqual([{ username: 'taken', password: 'x', kuid: 'someone-else' }]);
    expect(eventNames()).toEqual(['credentials:created', 'credentials:deleted']);
  });

  it('still deletes the user and answers the original error when undoing credentials fails, and logs it', async () => {
    const fragile = await harness.addStrategy('fragile', { failingDelete: true });
    await other.create({ username: 'taken', password: 'x', kuid: 'someone-else' });

    const error = await failure(
      create(
        alice({ fragile: { username: 'alice', password: 'y' }, other: { username: 'taken', password: 'y' } }),
      ),
    );

    expect(error.id).toBe('services.storage.unique_violation');
    expect(await harness.userCount()).toBe(0);
    const [left] = await credentialsIn(fragile);
    expect(harness.errors).toEqual([
      {
        message: expect.stringContaining('credentials "fragile"'),
        fields: expect.objectContaining({ kuid: left!.kuid }),
      },
    ]);
  });
});

describe('createUserWithCredentials, under concurrency', () => {
  it('20 creations with one username end with one user with credentials and 19 clean errors', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        create(alice({ test: { username: 'alice', password: `secret-${i}` } })),
      ),
    );

    const created = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
    );
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const error of refused)
      expect(error).toMatchObject({ id: 'services.storage.unique_violation', status: 412 });
    expect(await harness.userCount()).toBe(1);
    expect(await credentialsIn(test)).toEqual([
      expect.objectContaining({ username: 'alice', kuid: created[0]!._id }),
    ]);
    expect(eventNames().filter((event) => event === 'user:created')).toHaveLength(1);
  });

  it('20 creations with one _id end with one user and 19 already_exists', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        create(alice({ test: { username: 'alice', password: 'x' } }, 'alice-kuid')),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ id: 'security.user.already_exists' });
    }
    expect(await harness.userCount()).toBe(1);
    expect(await credentialsIn(test)).toHaveLength(1);
  });
});
