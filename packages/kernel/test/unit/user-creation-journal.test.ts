/**
 * UserCreationJournal: a creation written down blocks a second one of its kuid, crossing out succeeds once, and
 * recovery (what a booting node runs) undoes exactly the creations left written down, each by one node only,
 * while a creation whose entry was claimed under it undoes itself and fails.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isTesseraError, type DocumentCollection } from '@tessera/plugin-sdk';
import type { CreationUndo } from '../../src/security/user-creation-journal';
import { createUserWithCredentials } from '../../src/security/user-creation';
import { openHarness, requestBy, type Harness, type TestCredentials } from './security-services-fixture';

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

/** What the kernel hands `recover` at boot. */
function undoWith(services: Harness['services']): CreationUndo {
  const { credentials, accounts } = services;
  return {
    credentialsExist: (request, strategy, kuid) => credentials.exists(request, strategy, kuid),
    deleteCredentials: (request, strategy, kuid) => credentials.delete(request, strategy, kuid),
    deleteUser: (kuid) => accounts.users.delete(kuid),
  };
}

/** Writes what a creation of `kuid` had written when its process died: the entry, the user, the `test` credentials. */
async function interruptedCreation(kuid: string): Promise<void> {
  const { creations, accounts, credentials } = harness.services;
  await creations.begin(kuid, ['test', 'other']);
  await accounts.users.create({ profileIds: ['default'] }, 'the-admin', { id: kuid });
  await credentials.create(requestBy(), 'test', kuid, { username: `${kuid}-name`, password: 'p' });
}

const count = async (store: DocumentCollection<TestCredentials>) => store.count({});

describe('UserCreationJournal', () => {
  it('refuses a second creation of a kuid written down, as if the first had finished', async () => {
    const { creations } = harness.services;
    await creations.begin('alice', ['test']);
    const error = await creations.begin('alice', ['test']).catch((reason: unknown) => reason);
    expect(isTesseraError(error) && error.id).toBe('security.user.already_exists');
  });

  it('crosses a creation out once: the second end answers false', async () => {
    const { creations } = harness.services;
    await creations.begin('alice', ['test']);
    await expect(creations.end('alice')).resolves.toBe(true);
    await expect(creations.end('alice')).resolves.toBe(false);
    await creations.begin('alice', ['test']);
  });

  it('recovery undoes the credentials and the user of an interrupted creation, and nothing else', async () => {
    await createUserWithCredentials(harness.services, requestBy(), {
      id: 'bob',
      content: { profileIds: ['default'] },
      credentials: { test: { username: 'bob', password: 'p' } },
    });
    await interruptedCreation('alice');
    expect(await harness.userCount()).toBe(2);

    const undone = await harness.services.creations.recover(undoWith(harness.services), harness.services.log);

    expect(undone).toEqual(['alice']);
    expect(await harness.services.accounts.users.find('alice')).toBeNull();
    expect(await harness.services.accounts.users.find('bob')).not.toBeNull();
    expect((await test.search({})).hits.map((hit) => hit._source.kuid)).toEqual(['bob']);
    expect(await count(other)).toBe(0);
    expect(harness.errors).toEqual([]);
    // The entry went with it: the kuid is free again, and a second recovery finds nothing.
    await expect(
      harness.services.creations.recover(undoWith(harness.services), harness.services.log),
    ).resolves.toEqual([]);
  });

  it('two nodes recovering at once undo each interrupted creation exactly once', async () => {
    const kuids = Array.from({ length: 12 }, (_, index) => `user-${index}`);
    for (const kuid of kuids) await interruptedCreation(kuid);
    const deletions: string[] = [];
    const undo = undoWith(harness.services);
    const counting: CreationUndo = {
      ...undo,
      deleteUser: (kuid) => {
        deletions.push(kuid);
        return undo.deleteUser(kuid);
      },
    };
    const { creations, log } = harness.services;

    const [first, second] = await Promise.all([
      creations.recover(counting, log),
      creations.recover(counting, log),
    ]);

    expect([...first, ...second].sort()).toEqual([...kuids].sort());
    expect(first.filter((kuid) => second.includes(kuid))).toEqual([]);
    expect(deletions.sort()).toEqual([...kuids].sort());
    expect(await harness.userCount()).toBe(0);
    expect(await count(test)).toBe(0);
  });

  it('a creation whose entry a booting node claimed undoes its own writes and answers creation_interrupted', async () => {
    const { services } = harness;
    // A node booting while the credentials are being written claims the entry (and undoes what it sees).
    const claimed = await harness.addStrategy('claimed', {
      beforeCreate: () => services.creations.recover(undoWith(services), services.log),
    });
    const error = await createUserWithCredentials(services, requestBy(), {
      id: 'alice',
      content: { profileIds: ['default'] },
      credentials: { claimed: { username: 'alice', password: 'p' } },
    }).catch((reason: unknown) => reason);

    expect(isTesseraError(error) && error.id).toBe('security.user.creation_interrupted');
    expect(await services.accounts.users.find('alice')).toBeNull();
    expect(await harness.userCount()).toBe(0);
    expect(await count(claimed)).toBe(0);
    expect(harness.events.map(({ event }) => event)).not.toContain('user:created');
  });
});
