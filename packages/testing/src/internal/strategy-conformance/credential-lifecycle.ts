/**
 * Conformance: the credential methods as clients reach them through the security and auth controllers, each
 * check with its own users. Bad input (missing fields, an unknown user, credentials that are not there) must
 * give a clean Kuzzle error with a 4xx status, never a raw error or a 500; a wrong login must give a 401.
 */
import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '@tessera/plugin-sdk';
import type { StrategyConformanceOptions } from '../../strategy-conformance';
import { expectCleanError } from './api-client';
import type { ConformanceKernel } from './conformance-kernel';

const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);
const UNKNOWN_USER = 'conformance-no-such-user';

export function describeCredentialLifecycle(
  options: StrategyConformanceOptions,
  use: () => ConformanceKernel,
): void {
  const { strategy } = options;
  const call = (action: string, n: number | string, extra: JsonObject = {}) => {
    const { api, kuidOf } = use();
    return api.query({
      controller: 'security',
      action,
      strategy,
      _id: typeof n === 'number' ? kuidOf(n) : n,
      ...extra,
    });
  };
  const has = async (n: number) => (await call('hasCredentials', n)).result;

  describe('credentials', () => {
    it('is listed by auth:getStrategies, with its fields in security:getCredentialFields', async () => {
      const { api } = use();
      expect(await api.ok({ controller: 'auth', action: 'getStrategies' })).toContain(strategy);
      const fields = await api.ok({ controller: 'security', action: 'getCredentialFields', strategy });
      expect(fields).toEqual(expect.any(Array));
      for (const field of fields as unknown[]) expect(field).toEqual(expect.any(String));
      const all = (await api.ok({ controller: 'security', action: 'getAllCredentialFields' })) as JsonObject;
      expect(all[strategy]).toEqual(fields);
    });

    it('creates a user with credentials: hasCredentials, getCredentials and the user know them', async () => {
      const { createUser, api, tokenOf } = use();
      const created = await createUser(1);
      expect(created.error).toBeNull();
      expect(await has(1)).toBe(true);
      const info = await call('getCredentials', 1);
      expect(info.error).toBeNull();
      expect(info.result).toEqual(expect.any(Object));
      const me = (await api.ok({ controller: 'auth', action: 'getCurrentUser' }, await tokenOf(1))) as {
        _id: string;
        strategies: string[];
      };
      expect(me._id).toBe(use().kuidOf(1));
      expect(me.strategies).toContain(strategy);
      expect(
        await api.ok({ controller: 'auth', action: 'getMyCredentials', strategy }, await tokenOf(1)),
      ).toEqual(info.result);
    });

    it('adds credentials to a user with security:createCredentials, after validateCredentials', async () => {
      const { createUser } = use();
      expect((await createUser(2, false)).error).toBeNull();
      expect(await has(2)).toBe(false);
      const validated = await call('validateCredentials', 2, { body: options.credentials(2) });
      expect(validated.error).toBeNull();
      expect(validated.result).toBe(true);
      const created = await call('createCredentials', 2, { body: options.credentials(2) });
      expect(created.error).toBeNull();
      expect(created.result).toEqual(expect.any(Object));
      expect(await has(2)).toBe(true);
      expect((await call('getCredentials', 2)).error).toBeNull();
    });

    it('refuses to create credentials a second time for the same user, cleanly', async () => {
      expect((await use().createUser(3)).error).toBeNull();
      expectCleanError(await call('createCredentials', 3, { body: options.credentials(3) }), CLIENT_ERRORS);
      expect(await has(3)).toBe(true);
    });

    it('refuses invalid credentials with a clean 4xx, at validation and at creation', async () => {
      expect(options.invalidCredentials.length).toBeGreaterThan(0);
      expect((await use().createUser(4, false)).error).toBeNull();
      for (const body of options.invalidCredentials) {
        expectCleanError(await call('validateCredentials', 4, { body }), CLIENT_ERRORS);
        expectCleanError(await call('createCredentials', 4, { body }), CLIENT_ERRORS);
        expect(await has(4)).toBe(false);
      }
    });

    it('creates no user when its credentials are refused', async () => {
      const { api, kuidOf } = use();
      for (const body of options.invalidCredentials) {
        const answer = await api.query({
          controller: 'security',
          action: 'createUser',
          _id: kuidOf(5),
          body: { content: { profileIds: ['default'] }, credentials: { [strategy]: body } },
        });
        expectCleanError(answer, CLIENT_ERRORS);
        expectCleanError(
          await api.query({ controller: 'security', action: 'getUser', _id: kuidOf(5) }),
          [404],
        );
      }
    });

    it('answers for credentials of an unknown user with clean errors', async () => {
      expectCleanError(
        await call('createCredentials', UNKNOWN_USER, { body: options.credentials(6) }),
        [404],
      );
      expectCleanError(await call('updateCredentials', UNKNOWN_USER, { body: options.update(6) }), [404]);
      expect((await call('hasCredentials', UNKNOWN_USER)).result).toBe(false);
      expectCleanError(await call('getCredentials', UNKNOWN_USER), CLIENT_ERRORS);
      expectCleanError(await call('deleteCredentials', UNKNOWN_USER), CLIENT_ERRORS);
    });

    it('answers for a user without credentials with clean errors', async () => {
      expect((await use().createUser(7, false)).error).toBeNull();
      expectCleanError(await call('updateCredentials', 7, { body: options.update(7) }), CLIENT_ERRORS);
      expectCleanError(await call('getCredentials', 7), CLIENT_ERRORS);
      expectCleanError(await call('deleteCredentials', 7), CLIENT_ERRORS);
      expect(await has(7)).toBe(false);
    });

    it('updates credentials with security:updateCredentials', async () => {
      expect((await use().createUser(8)).error).toBeNull();
      const updated = await call('updateCredentials', 8, { body: options.update(8) });
      expect(updated.error).toBeNull();
      expect(updated.result).toEqual(expect.any(Object));
      expect(await has(8)).toBe(true);
      const info = await call('getCredentials', 8);
      expect(info.error).toBeNull();
    });

    it('deletes credentials with security:deleteCredentials, and can create them again', async () => {
      expect((await use().createUser(9)).error).toBeNull();
      const deleted = await call('deleteCredentials', 9);
      expect(deleted.error).toBeNull();
      expect(deleted.result).toEqual({ acknowledged: true });
      expect(await has(9)).toBe(false);
      expectCleanError(await call('getCredentials', 9), CLIENT_ERRORS);
      expectCleanError(await call('deleteCredentials', 9), CLIENT_ERRORS);
      if (options.login)
        expectCleanError(
          await use().login(await options.login(9, 'created', { url: use().kernel.url })),
          [401],
        );
      const again = await call('createCredentials', 9, { body: options.credentials(9) });
      expect(again.error).toBeNull();
      expect(await has(9)).toBe(true);
    });

    it("deletes a user's credentials with the user, freeing them for another", async () => {
      const { api, createUser, kuidOf } = use();
      expect((await createUser(10)).error).toBeNull();
      expect(await api.ok({ controller: 'security', action: 'deleteUser', _id: kuidOf(10) })).toEqual({
        _id: kuidOf(10),
      });
      expect(await has(10)).toBe(false);
      expect((await createUser(10)).error).toBeNull();
      expect(await has(10)).toBe(true);
    });
  });

  describe('login', () => {
    it('refuses a wrong login with a clean 401', async () => {
      expect((await use().createUser(11)).error).toBeNull();
      const answer = await use().login(await options.wrongLogin(11, { url: use().kernel.url }));
      expectCleanError(answer, [401]);
    });

    it('answers an empty login with a clean 4xx, or a redirect that starts a browser flow', async () => {
      const answer = await use().login({ body: {} });
      if (answer.location === null) expectCleanError(answer, CLIENT_ERRORS);
      else expect(answer.location).toMatch(/^https?:\/\//);
    });

    if (options.login) {
      const login = options.login;
      it('logs the user in; the kernel issues the token, for the kuid verify named', async () => {
        const { api, createUser, kuidOf } = use();
        expect((await createUser(12)).error).toBeNull();
        const answer = await use().login(await login(12, 'created', { url: use().kernel.url }));
        expect(answer.error).toBeNull();
        const result = answer.result as { _id: string; jwt: string };
        expect(result._id).toBe(kuidOf(12));
        const me = (await api.ok({ controller: 'auth', action: 'getCurrentUser' }, result.jwt)) as {
          _id: string;
        };
        expect(me._id).toBe(kuidOf(12));
      });

      it('logs the user in with the updated credentials after an update', async () => {
        const { createUser, kuidOf } = use();
        expect((await createUser(13)).error).toBeNull();
        expect((await call('updateCredentials', 13, { body: options.update(13) })).error).toBeNull();
        const answer = await use().login(await login(13, 'updated', { url: use().kernel.url }));
        expect(answer.error).toBeNull();
        expect((answer.result as { _id: string })._id).toBe(kuidOf(13));
      });
    }
  });
}
