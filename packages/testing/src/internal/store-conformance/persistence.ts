/** Conformance, for adapters that persist (given a reopen hook): documents and unique fields survive a restart. */
import { describe, expect, it } from '@jest/globals';
import { expectError, useStore, type StoreSetup } from './store-fixture';

export function describePersistence(setup: StoreSetup): void {
  describe('persistence', () => {
    const store = useStore(setup);

    it('keeps documents and unique fields across close and reopen', async () => {
      const before = await store()
        .storage('plugin:a')
        .collection('users', { unique: ['email'] });
      await before.create({ email: 'ada@example.com', profile: { langs: ['en'] } }, 'ada');
      await store().reopen();
      const after = await store()
        .storage('plugin:a')
        .collection('users', { unique: ['email'] });
      expect(await after.get('ada')).toEqual({
        _id: 'ada',
        _source: { email: 'ada@example.com', profile: { langs: ['en'] } },
      });
      expect((await after.search({ query: { term: { 'profile.langs': 'en' } } })).total).toBe(1);
      await expectError(after.create({ email: 'ada@example.com' }), 'services.storage.unique_violation');
      expect(await (await store().collection('users')).get('ada')).toBeNull();
    });
  });
}
