/**
 * Credentials.update says in `credentials:updated` whether a secret changed, as the strategy judges it
 * (`changesSecret`); a strategy that does not say counts every update as one, so its users' other tokens go.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { JsonObject, PassportStrategy, PassportStrategyActions } from '@tessera/plugin-sdk';
import { openHarness, requestBy, type Harness } from './security-services-fixture';

let harness: Harness;
const USER = { _id: 'the-user', profileIds: ['default'] };

class NoLogin implements PassportStrategy {
  authenticate(this: PassportStrategyActions): void {
    this.fail();
  }
}

const methods = {
  verify: () => Promise.resolve(false as const),
  exists: () => Promise.resolve(true),
  validate: () => Promise.resolve(true),
  create: () => Promise.resolve({}),
  update: () => Promise.resolve({}),
  delete: () => Promise.resolve(true),
};

beforeEach(async () => {
  harness = await openHarness();
  const registrar = harness.services.strategies.registrarFor('test');
  registrar.register('judging', {
    authenticator: NoLogin,
    methods: { ...methods, changesSecret: (_request, credentials: JsonObject) => 'secret' in credentials },
  });
  registrar.register('silent', { authenticator: NoLogin, methods });
});

afterEach(async () => {
  await harness.close();
});

const updated = () =>
  harness.events.filter(({ event }) => event === 'credentials:updated').map(({ payload }) => payload);

describe('credentials:updated', () => {
  it.each([
    ['judging', { name: 'same' }, false],
    ['judging', { name: 'same', secret: 'new' }, true],
    ['silent', { name: 'same' }, true],
  ])('from the %s strategy, for %j: secretChanged %s', async (strategy, body, secretChanged) => {
    await harness.services.credentials.update(requestBy(), strategy, USER._id, body);
    expect(updated()).toEqual([expect.objectContaining({ kuid: USER._id, strategy, secretChanged })]);
  });

  it('refuses a strategy whose changesSecret is not a function', () => {
    expect(() =>
      harness.services.strategies.registrarFor('test').register('broken', {
        authenticator: NoLogin,
        methods: { ...methods, changesSecret: true as never },
      }),
    ).toThrow(expect.objectContaining({ id: 'plugin.strategy.invalid_definition' }));
  });
});
