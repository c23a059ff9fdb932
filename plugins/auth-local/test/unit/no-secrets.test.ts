import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isTesseraError } from '@tessera/plugin-sdk';
import { ADMIN, apiRequest, expectNoSecrets, startAuthLocal, type Harness } from './harness';

const PASSWORDS = ['first-Secret-1', 'second-Secret-2', 'third-Secret-3', 'wrong-Guess-9'];

/** What the caller of `work` gets to see: its result, or the JSON form of its error. */
async function outcome(work: Promise<unknown>): Promise<unknown> {
  try {
    return await work;
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    return JSON.parse(JSON.stringify(error)) as unknown;
  }
}

describe('no hash and no password ever leaves the plugin', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startAuthLocal({
      requirePassword: true,
      passwordPolicies: [
        { appliesTo: '*', forbidReusedPasswordCount: 3, mustChangePasswordIfSetByAdmin: true },
      ],
    });
  });
  afterEach(() => h.close());

  it('in answers, errors and log lines, through every method and action', async () => {
    const [first, second, third, wrong] = PASSWORDS as [string, string, string, string];
    const mine = (body: Record<string, string>) =>
      apiRequest({ controller: 'auth', action: 'updateMyCredentials', body, user: 'kuid-alice' });
    const answers: unknown[] = [];
    const see = async (work: Promise<unknown>) => {
      answers.push(await outcome(work));
    };

    await see(
      h.methods.validate(apiRequest(), { username: 'alice', password: first }, 'kuid-alice', 'local', false),
    );
    await see(h.methods.create(apiRequest(), { username: 'alice', password: first }, 'kuid-alice', 'local'));
    await see(h.methods.create(apiRequest(), { username: 'alice', password: second }, 'kuid-bob', 'local'));
    await see(
      h.methods.create(apiRequest(), { username: 'alice2', password: second }, 'kuid-alice', 'local'),
    );
    await see(h.login({ username: 'alice', password: first }));
    await see(h.login({ username: 'alice', password: wrong }));
    await see(h.login({ username: 'nobody', password: wrong }));
    await see(
      h.methods.update(
        mine({ password: second, currentPassword: wrong }),
        { password: second },
        'kuid-alice',
        'local',
      ),
    );
    await see(
      h.methods.update(
        mine({ password: second, currentPassword: first }),
        { password: second },
        'kuid-alice',
        'local',
      ),
    );
    await see(h.methods.validate(apiRequest(), { password: first }, 'kuid-alice', 'local', true));
    await see(h.methods.getInfo(apiRequest(), 'kuid-alice', 'local'));
    await see(h.methods.getById(apiRequest(), 'alice', 'local'));
    await see(h.methods.exists(apiRequest(), 'kuid-alice', 'local'));
    await see(h.methods.search({}, { from: 0, size: 10 }));
    await see(h.methods.search({ query: { prefix: { hash: '$2b$' } } }, { from: 0, size: 10 }));
    const { resetToken } = (await h.action(
      'getResetPasswordToken',
      apiRequest({ args: { _id: 'kuid-alice' } }),
    )) as {
      resetToken: string;
    };
    answers.push(resetToken);
    h.clock.now += 1000;
    await see(
      h.action(
        'reset',
        apiRequest({ action: 'reset', body: { password: third, token: resetToken }, user: null }),
      ),
    );
    const rehashing = await h.restart({ bcryptCost: 5 });
    await see(rehashing.login({ username: 'alice', password: third }));
    await see(
      h.methods.delete(apiRequest({ action: 'deleteCredentials', user: ADMIN }), 'kuid-alice', 'local'),
    );

    // The scenario did what it says: the answers are the expected ones, not leak-free by accident.
    expect(answers).toContainEqual({ username: 'alice', kuid: 'kuid-alice' });
    expect(answers).toContainEqual({ kind: 'authenticated', kuid: 'kuid-alice' });
    expect(answers).toContainEqual(
      expect.objectContaining({
        id: 'plugin.auth-local.must_change_password',
        message: 'Password change required',
      }),
    );
    expect(answers).toContainEqual(
      expect.objectContaining({ id: 'plugin.auth-local.reused_password', message: 'Cannot reuse password' }),
    );
    expect(answers).toContainEqual({ acknowledged: true, kuid: 'kuid-alice' });
    expect(h.logs.some((line) => line.message.includes('rehashed'))).toBe(true);

    expectNoSecrets(answers, PASSWORDS);
    expectNoSecrets(h.logs, PASSWORDS);
  });

  it('the leak check itself catches a hash and a password', () => {
    expect(() => expectNoSecrets({ hash: '$2b$04$abcdefghijklmnopqrstuv' }, PASSWORDS)).toThrow(
      'secret found',
    );
    expect(() => expectNoSecrets(['first-Secret-1'], PASSWORDS)).toThrow('secret found');
  });
});
