/**
 * createPluginUser, the plugins' `ctx.accounts.createUser`: a generated kuid, the given profiles whatever the
 * content says, the user as its own author, credentials only for the calling plugin's strategies, and the
 * all-or-nothing creation underneath (two concurrent creations for one identity leave one user).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isTesseraError, type DocumentCollection } from '@tessera/plugin-sdk';
import { createPluginUser } from '../../src/security/plugin-user-creation';
import type { PluginNewUser } from '@tessera/plugin-sdk';
import { openHarness, type Harness, type TestCredentials } from './security-services-fixture';

let harness: Harness;
let test: DocumentCollection<TestCredentials>;

beforeEach(async () => {
  harness = await openHarness();
  // The fixture registers its strategies as the plugin "test".
  test = await harness.addStrategy('test');
});

afterEach(async () => {
  await harness.close();
});

const create = (user: PluginNewUser, plugin = 'test') =>
  createPluginUser(harness.services, harness.services.strategies, plugin, user);

async function failure(promise: Promise<unknown>): Promise<{ id: string }> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!isTesseraError(error)) throw new Error(`expected a catalog error, got ${String(error)}`);
  return error;
}

describe('createPluginUser', () => {
  it('creates a user with a generated kuid, its profiles and content, authored by itself', async () => {
    const kuid = await create({
      profileIds: ['default'],
      content: { displayName: 'Carol', profileIds: ['admin'] },
      credentials: { test: { username: 'carol', password: 'unused' } },
    });

    expect(kuid).toMatch(/^kuid-/);
    const user = await harness.services.accounts.users.get(kuid);
    expect(user._source).toEqual({
      profileIds: ['default'],
      displayName: 'Carol',
      _kuzzle_info: expect.objectContaining({ author: kuid }),
    });
    expect((await test.search({}, { size: 10 })).hits.map((hit) => hit._source)).toEqual([
      { username: 'carol', password: 'unused', kuid },
    ]);
    expect(harness.events).toContainEqual({ event: 'user:created', payload: { kuid, author: kuid } });
  });

  it('creates a user without credentials', async () => {
    const kuid = await create({ profileIds: ['default'] });
    expect((await harness.services.accounts.users.get(kuid))._source.profileIds).toEqual(['default']);
  });

  it("refuses credentials of another plugin's strategy, and an unknown strategy, before writing", async () => {
    expect(
      (
        await failure(
          create({ profileIds: ['default'], credentials: { test: { username: 'x' } } }, 'intruder'),
        )
      ).id,
    ).toBe('plugin.assert.invalid_definition');
    expect((await failure(create({ profileIds: ['default'], credentials: { nope: {} } }))).id).toBe(
      'security.credentials.unknown_strategy',
    );
    expect(await harness.userCount()).toBe(0);
  });

  it('refuses an unknown profile and leaves no user', async () => {
    await failure(create({ profileIds: ['no-such-profile'] }));
    expect(await harness.userCount()).toBe(0);
  });

  it('of two concurrent creations with one identity, keeps one user and rolls the other back', async () => {
    const attempt = () =>
      create({ profileIds: ['default'], credentials: { test: { username: 'dave', password: 'p' } } }).then(
        (kuid) => ({ kuid }),
        (error: unknown) => ({ error }),
      );
    const results = await Promise.all([attempt(), attempt()]);

    expect(results.filter((result) => 'kuid' in result)).toHaveLength(1);
    expect(results.filter((result) => 'error' in result)).toHaveLength(1);
    expect(await harness.userCount()).toBe(1);
    expect((await test.search({}, { size: 10 })).total).toBe(1);
  });
});
