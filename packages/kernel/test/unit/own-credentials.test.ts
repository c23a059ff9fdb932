/**
 * A user's own credentials (`auth:createMyCredentials`, `auth:updateMyCredentials`) go through
 * Credentials.createOwn / updateOwn: a strategy with `startLink` answers where to send the browser and the
 * kernel writes nothing, validates nothing and emits nothing; any other strategy creates and updates from the
 * body as `security:*Credentials` do.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ApiRequest, JsonObject, PassportStrategy, PassportStrategyActions } from '@tessera/plugin-sdk';
import { openHarness, requestBy, type Harness } from './security-services-fixture';

let harness: Harness;
let calls: string[];
const USER = { _id: 'the-user', profileIds: ['default'] };

class NoLogin implements PassportStrategy {
  authenticate(this: PassportStrategyActions): void {
    this.fail();
  }
}

beforeEach(async () => {
  harness = await openHarness();
  await harness.addStrategy('test');
  calls = [];
  const called =
    <T>(name: string, answer: T) =>
    () => {
      calls.push(name);
      return Promise.resolve(answer);
    };
  harness.services.strategies.registrarFor('test').register('linked', {
    authenticator: NoLogin,
    methods: {
      verify: () => Promise.resolve(false as const),
      exists: called('exists', false),
      validate: called('validate', true),
      create: called('create', {}),
      update: called('update', {}),
      delete: called('delete', true),
      startLink: (
        _request: ApiRequest,
        body: JsonObject,
        kuid: string,
        strategy: string,
        isUpdate: boolean,
      ) => {
        calls.push('startLink');
        return Promise.resolve({ url: `https://link.test/${strategy}/${kuid}`, body, isUpdate });
      },
    },
  });
});

afterEach(async () => {
  await harness.close();
});

describe('a strategy with startLink', () => {
  it.each([
    ['createOwn', false],
    ['updateOwn', true],
  ] as const)('%s answers what startLink answers, and writes and emits nothing', async (method, isUpdate) => {
    const { credentials } = harness.services;
    const answer = await credentials[method](requestBy(USER), 'linked', USER._id, { redirectTo: 'x' });
    expect(answer).toEqual({
      url: 'https://link.test/linked/the-user',
      body: { redirectTo: 'x' },
      isUpdate,
    });
    expect(calls).toEqual(['startLink']);
    expect(harness.events).toEqual([]);
  });
});

describe('a strategy without startLink', () => {
  it('creates and updates from the body, with the credentials events', async () => {
    const { credentials } = harness.services;
    await credentials.createOwn(requestBy(USER), 'test', USER._id, { username: 'me', password: 'pw-1' });
    expect(await credentials.info(requestBy(USER), 'test', USER._id)).toEqual({
      username: 'me',
      kuid: USER._id,
    });
    await credentials.updateOwn(requestBy(USER), 'test', USER._id, { username: 'me-2', password: 'pw-2' });
    expect(await credentials.info(requestBy(USER), 'test', USER._id)).toMatchObject({ username: 'me-2' });
    expect(harness.events.map(({ event }) => event)).toEqual(['credentials:created', 'credentials:updated']);
  });
});
