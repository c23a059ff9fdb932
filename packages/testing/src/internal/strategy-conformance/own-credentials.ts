/**
 * Conformance: a user's actions on their own credentials. A strategy whose credentials a body may set
 * creates them with `auth:createMyCredentials`. A strategy declared `ownCredentialsBySignIn` (an OAuth
 * provider's identity) must refuse every form by which a user would name credentials for themselves
 * (`auth:createMyCredentials`, `updateMyCredentials`, `validateMyCredentials`, `security:createRestrictedUser`)
 * with a clean 4xx that changes nothing, and answer `createMyCredentials` / `updateMyCredentials` with an
 * empty body with a URL where a browser completes the link.
 */
import { describe, expect, it } from '@jest/globals';
import type { StrategyConformanceOptions } from '../../strategy-conformance';
import { expectCleanError } from './api-client';
import type { ConformanceKernel } from './conformance-kernel';

const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);

export function describeOwnCredentials(
  options: StrategyConformanceOptions,
  use: () => ConformanceKernel,
): void {
  const { strategy } = options;
  const mine = async (action: string, n: number, body: unknown) => {
    const { api, tokenOf } = use();
    return api.query({ controller: 'auth', action, strategy, body }, await tokenOf(n));
  };
  const has = async (n: number) =>
    (await use().api.ok({
      controller: 'security',
      action: 'hasCredentials',
      strategy,
      _id: use().kuidOf(n),
    })) as boolean;
  const info = (n: number) =>
    use().api.ok({ controller: 'security', action: 'getCredentials', strategy, _id: use().kuidOf(n) });

  describe('own credentials', () => {
    if (!options.ownCredentialsBySignIn) {
      it('lets a user create their own credentials with auth:createMyCredentials', async () => {
        expect((await use().createUser(14, false)).error).toBeNull();
        const created = await mine('createMyCredentials', 14, options.credentials(14));
        expect(created.error).toBeNull();
        expect(await has(14)).toBe(true);
      });
      return;
    }

    it('refuses a user naming their own credentials, cleanly, and changes nothing', async () => {
      const { createUser } = use();
      expect((await createUser(14, false)).error).toBeNull();
      expectCleanError(await mine('createMyCredentials', 14, options.credentials(14)), CLIENT_ERRORS);
      expectCleanError(await mine('validateMyCredentials', 14, options.credentials(14)), CLIENT_ERRORS);
      expect(await has(14)).toBe(false);

      expect((await createUser(15)).error).toBeNull();
      const before = await info(15);
      expectCleanError(await mine('updateMyCredentials', 15, options.update(15)), CLIENT_ERRORS);
      expect(await info(15)).toEqual(before);
    });

    it('refuses security:createRestrictedUser with its credentials, and leaves no user', async () => {
      const { api, kuidOf } = use();
      const answer = await api.query({
        controller: 'security',
        action: 'createRestrictedUser',
        _id: kuidOf(16),
        body: { content: {}, credentials: { [strategy]: options.credentials(16) } },
      });
      expectCleanError(answer, CLIENT_ERRORS);
      expectCleanError(
        await api.query({ controller: 'security', action: 'getUser', _id: kuidOf(16) }),
        [404],
      );
    });

    it('answers createMyCredentials and updateMyCredentials with no credentials with a URL, writing nothing', async () => {
      const { createUser } = use();
      expect((await createUser(17, false)).error).toBeNull();
      const started = await mine('createMyCredentials', 17, {});
      expect(started.error).toBeNull();
      expect(started.result).toMatchObject({ url: expect.stringMatching(/^https?:\/\//) });
      expect(await has(17)).toBe(false);

      expect((await createUser(18)).error).toBeNull();
      const before = await info(18);
      const restarted = await mine('updateMyCredentials', 18, {});
      expect(restarted.error).toBeNull();
      expect(restarted.result).toMatchObject({ url: expect.stringMatching(/^https?:\/\//) });
      expect(await info(18)).toEqual(before);
    });
  });
}
