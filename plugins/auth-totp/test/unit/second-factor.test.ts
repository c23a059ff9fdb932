import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  codeAt,
  startAuthTotp,
  STEP_MS,
  wireError,
  wrongCodeAt,
  type Enrolment,
  type Harness,
} from './harness';

describe('the second factor of local logins (secondFactor: {strategies: ["local"]})', () => {
  let h: Harness;
  let alice: Enrolment;
  beforeEach(async () => {
    h = await startAuthTotp({ secondFactor: { strategies: ['local'] } });
    alice = await h.enrolConfirmed('alice');
  });
  afterEach(() => h.close());

  const local = (body: Record<string, unknown>) =>
    h.strategyAuthenticated('local', 'alice', {
      username: 'alice-login',
      password: 'secret',
      ...body,
    });

  it('refuses a login without a code with plugin.auth-totp.code_required (401)', async () => {
    expect(await wireError(local({}))).toMatchObject({
      id: 'plugin.auth-totp.code_required',
      status: 401,
      message: 'A one-time code is required: send "code" with the login.',
    });
    expect(await wireError(local({ code: '' }))).toMatchObject({ id: 'plugin.auth-totp.code_required' });
  });

  it('refuses a wrong or malformed code with plugin.auth-totp.invalid_code (401)', async () => {
    for (const code of [wrongCodeAt(alice, h.clock.now), '12', 'abcdef', { $ne: '' }]) {
      expect(await wireError(local({ code }))).toMatchObject({
        id: 'plugin.auth-totp.invalid_code',
        status: 401,
      });
    }
  });

  it('lets the login through with a valid code, once', async () => {
    const code = codeAt(alice, h.clock.now);
    expect(await local({ code })).toMatchObject({ strategy: 'local', kuid: 'alice' });
    expect(await wireError(local({ code }))).toMatchObject({ id: 'plugin.auth-totp.invalid_code' });
  });

  it('shares the replay bookkeeping with code logins', async () => {
    const code = codeAt(alice, h.clock.now);
    const login = await (
      await h.restart({ secondFactor: { strategies: ['local'] }, standaloneLogin: true })
    ).login({ username: 'alice', code });
    expect(login).toMatchObject({ kind: 'authenticated' });
    expect(await wireError(local({ code }))).toMatchObject({ id: 'plugin.auth-totp.invalid_code' });
  });

  it('asks nothing of users without a confirmed enrolment, nor of strategies not listed', async () => {
    await h.enrol('pending-bob');
    expect(await h.strategyAuthenticated('local', 'pending-bob', {})).toMatchObject({ kuid: 'pending-bob' });
    expect(await h.strategyAuthenticated('local', 'carol', {})).toMatchObject({ kuid: 'carol' });
    expect(await h.strategyAuthenticated('oidc', 'alice', {})).toMatchObject({ kuid: 'alice' });
  });

  it('turns the code-only login off by default, since it would bypass the password', async () => {
    h.clock.now += STEP_MS;
    expect(await h.login({ username: 'alice', code: codeAt(alice, h.clock.now) })).toMatchObject({
      kind: 'failed',
      message: expect.stringMatching(/alone is disabled/),
    });
  });
});

describe('without secondFactor', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startAuthTotp();
  });
  afterEach(() => h.close());

  it('adds no pipe: local logins of enrolled users need no code', async () => {
    await h.enrolConfirmed('alice');
    expect(await h.strategyAuthenticated('local', 'alice', {})).toMatchObject({ kuid: 'alice' });
  });
});
