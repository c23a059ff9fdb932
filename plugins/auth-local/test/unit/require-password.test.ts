import { afterEach, describe, expect, it } from '@jest/globals';
import { ADMIN, apiRequest, startAuthLocal, wireError, type Harness } from './harness';

const PASSWORD_REQUIRED = {
  status: 400,
  id: 'plugin.auth-local.current_password_required',
  message: 'Cannot update credentials: password required.',
};
const WRONG_PASSWORD = {
  status: 403,
  id: 'plugin.auth-local.invalid_current_password',
  message: 'Invalid user or password.',
};

describe('requirePassword', () => {
  let h: Harness;
  afterEach(() => h.close());

  /** `requirePassword` as given; left out, the plugin's default. */
  const start = async (requirePassword?: boolean) => {
    h = await startAuthLocal(requirePassword === undefined ? {} : { requirePassword });
    await h.methods.create(apiRequest(), { username: 'alice', password: 'secret-1' }, 'kuid-alice', 'local');
  };
  /** What auth:updateMyCredentials hands the strategy: the body is the credentials, currentPassword included. */
  const updateMine = (body: Record<string, string>) =>
    h.methods.update(
      apiRequest({ controller: 'auth', action: 'updateMyCredentials', body, user: 'kuid-alice' }),
      body,
      'kuid-alice',
      'local',
    );
  const deleteMine = (body: Record<string, string> | null) =>
    h.methods.delete(
      apiRequest({ controller: 'auth', action: 'deleteMyCredentials', body, user: 'kuid-alice' }),
      'kuid-alice',
      'local',
    );

  it('is on by default: a self-service update needs the current password', async () => {
    await start();
    expect(await wireError(updateMine({ password: 'secret-2' }))).toMatchObject(PASSWORD_REQUIRED);
    await expect(updateMine({ password: 'secret-2', currentPassword: 'secret-1' })).resolves.toMatchObject({
      kuid: 'kuid-alice',
    });
  });

  it('refuses a self-service update without the current password (400)', async () => {
    await start(true);
    expect(await wireError(updateMine({ password: 'secret-2' }))).toMatchObject(PASSWORD_REQUIRED);
    expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
      kind: 'authenticated',
    });
  });

  it('refuses a self-service update with a wrong current password (403)', async () => {
    await start(true);
    expect(await wireError(updateMine({ password: 'secret-2', currentPassword: 'nope' }))).toMatchObject(
      WRONG_PASSWORD,
    );
    expect(await h.login({ username: 'alice', password: 'secret-1' })).toMatchObject({
      kind: 'authenticated',
    });
  });

  it('updates with the right current password, and never stores it', async () => {
    await start(true);
    await expect(updateMine({ password: 'secret-2', currentPassword: 'secret-1' })).resolves.toEqual({
      username: 'alice',
      kuid: 'kuid-alice',
    });
    expect(await h.login({ username: 'alice', password: 'secret-2' })).toMatchObject({
      kind: 'authenticated',
    });
    expect(Object.keys((await h.credentials())[0]?._source ?? {})).not.toContain('currentPassword');
  });

  it('guards self-service deletion the same way', async () => {
    await start(true);
    expect(await wireError(deleteMine(null))).toMatchObject(PASSWORD_REQUIRED);
    expect(await wireError(deleteMine({ currentPassword: 'nope' }))).toMatchObject(WRONG_PASSWORD);
    await deleteMine({ currentPassword: 'secret-1' });
    await expect(h.methods.exists(apiRequest(), 'kuid-alice', 'local')).resolves.toBe(false);
  });

  it('does not apply to the security controller', async () => {
    await start(true);
    const request = apiRequest({ controller: 'security', action: 'updateCredentials', user: ADMIN });
    await expect(
      h.methods.update(request, { password: 'secret-2' }, 'kuid-alice', 'local'),
    ).resolves.toMatchObject({
      kuid: 'kuid-alice',
    });
    await h.methods.delete(apiRequest({ action: 'deleteCredentials' }), 'kuid-alice', 'local');
    await expect(h.methods.exists(apiRequest(), 'kuid-alice', 'local')).resolves.toBe(false);
  });

  it('asks nothing when off', async () => {
    await start(false);
    await expect(updateMine({ password: 'secret-2' })).resolves.toMatchObject({ kuid: 'kuid-alice' });
    await deleteMine(null);
    await expect(h.methods.exists(apiRequest(), 'kuid-alice', 'local')).resolves.toBe(false);
  });
});
