/** Conformance: unique fields, enforced atomically on create, replace, createOrReplace and update. */
import { describe, expect, it } from '@jest/globals';
import { expectError, useStore, type StoreSetup } from './store-fixture';

const ACCOUNTS = { unique: ['email', 'profile.login'] };

export function describeUniqueFields(setup: StoreSetup): void {
  describe('unique fields', () => {
    const store = useStore(setup);
    const accounts = () => store().collection('accounts', ACCOUNTS);

    it('refuses a second document with a taken value, naming collection and field', async () => {
      const collection = await accounts();
      await collection.create({ email: 'ada@example.com' }, 'ada');
      const error = await expectError(
        collection.create({ email: 'ada@example.com' }, 'other'),
        'services.storage.unique_violation',
      );
      expect(error.props).toEqual(['accounts', 'email']);
      expect(await collection.get('other')).toBeNull();
    });

    it('enforces nested unique fields', async () => {
      const collection = await accounts();
      await collection.create({ profile: { login: 'ada' } }, 'ada');
      const error = await expectError(
        collection.create({ profile: { login: 'ada', extra: 1 } }),
        'services.storage.unique_violation',
      );
      expect(error.props).toEqual(['accounts', 'profile.login']);
    });

    it('leaves documents lacking the field free', async () => {
      const collection = await accounts();
      await collection.create({ name: 'no email' }, 'a');
      await collection.create({ name: 'no email either' }, 'b');
      await collection.create({ profile: {} }, 'c');
      expect(await collection.count()).toBe(3);
    });

    it('compares values type-strictly', async () => {
      const collection = await accounts();
      await collection.create({ email: '1' }, 'text');
      await collection.create({ email: 1 }, 'number');
      await collection.create({ email: true }, 'boolean');
      expect(await collection.count()).toBe(3);
    });

    it('refuses replace, createOrReplace and update into a taken value, changing nothing', async () => {
      const collection = await accounts();
      await collection.create({ email: 'ada@example.com' }, 'ada');
      await collection.create({ email: 'alan@example.com', n: 1 }, 'alan');
      await expectError(
        collection.replace('alan', { email: 'ada@example.com' }),
        'services.storage.unique_violation',
      );
      await expectError(
        collection.createOrReplace('alan', { email: 'ada@example.com' }),
        'services.storage.unique_violation',
      );
      await expectError(
        collection.createOrReplace('new', { email: 'ada@example.com' }),
        'services.storage.unique_violation',
      );
      await expectError(
        collection.update('alan', { email: 'ada@example.com' }),
        'services.storage.unique_violation',
      );
      expect((await collection.get('alan'))?._source).toEqual({ email: 'alan@example.com', n: 1 });
      expect(await collection.get('new')).toBeNull();
    });

    it('lets a document keep its own value through replace and update', async () => {
      const collection = await accounts();
      await collection.create({ email: 'ada@example.com', n: 1 }, 'ada');
      await collection.replace('ada', { email: 'ada@example.com', n: 2 });
      await collection.update('ada', { n: 3 });
      await collection.createOrReplace('ada', { email: 'ada@example.com', n: 4 });
      expect((await collection.get('ada'))?._source).toEqual({ email: 'ada@example.com', n: 4 });
    });

    it('frees a value when its document is deleted or changed', async () => {
      const collection = await accounts();
      await collection.create({ email: 'ada@example.com' }, 'ada');
      await collection.delete('ada');
      await collection.create({ email: 'ada@example.com' }, 'ada2');
      await collection.update('ada2', { email: 'other@example.com' });
      await collection.create({ email: 'ada@example.com' }, 'ada3');
      expect(await collection.count()).toBe(2);
    });

    it('lets exactly one of 20 concurrent creates with the same value succeed', async () => {
      const collection = await accounts();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, n) => collection.create({ email: 'race@example.com', n })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected).toHaveLength(19);
      for (const outcome of rejected) {
        expect(outcome.reason).toMatchObject({ id: 'services.storage.unique_violation' });
      }
      expect(await collection.count({ query: { term: { email: 'race@example.com' } } })).toBe(1);
    });

    it('holds per collection and per namespace only', async () => {
      await (await accounts()).create({ email: 'ada@example.com' });
      await (await store().collection('others', ACCOUNTS)).create({ email: 'ada@example.com' });
      const plugin = await store().storage('plugin:mail').collection('accounts', ACCOUNTS);
      await plugin.create({ email: 'ada@example.com' });
      expect(await plugin.count()).toBe(1);
    });

    it('adds unique fields named by a later collection() call', async () => {
      const plain = await store().collection('late');
      await plain.create({ email: 'ada@example.com' }, 'ada');
      const strict = await store().collection('late', { unique: ['email'] });
      await expectError(strict.create({ email: 'ada@example.com' }), 'services.storage.unique_violation');
    });

    it('refuses invalid unique field paths', async () => {
      await expectError(
        store().collection('bad', { unique: ['a..b'] }),
        'services.storage.invalid_field_path',
      );
      await expectError(
        store().collection('bad', { unique: ['__proto__'] }),
        'services.storage.invalid_field_path',
      );
    });
  });
}
