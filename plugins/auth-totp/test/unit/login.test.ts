import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { codeAt, startAuthTotp, STEP_MS, wrongCodeAt, type Enrolment, type Harness } from './harness';

const WRONG = { kind: 'failed', message: 'wrong username or one-time code' };

describe('logging in with a one-time code (body {username: kuid, code})', () => {
  let h: Harness;
  let alice: Enrolment;
  beforeEach(async () => {
    h = await startAuthTotp();
    alice = await h.enrolConfirmed('alice');
  });
  afterEach(() => h.close());

  const login = (code: unknown, username: unknown = 'alice') => h.login({ username, code } as never);

  it('names the kuid when the code is the current one', async () => {
    expect(await login(codeAt(alice, h.clock.now))).toEqual({ kind: 'authenticated', kuid: 'alice' });
  });

  it('answers a wrong code, an unknown user and a pending enrolment identically', async () => {
    await h.enrol('pending-bob');
    const wrong = await login(wrongCodeAt(alice, h.clock.now));
    const unknown = await login(codeAt(alice, h.clock.now), 'nobody');
    const pending = await login(codeAt(alice, h.clock.now), 'pending-bob');
    expect(wrong).toEqual(WRONG);
    expect(unknown).toEqual(WRONG);
    expect(pending).toEqual(WRONG);
  });

  it('refuses a code replayed within its window, and an older step once a newer one was used', async () => {
    const now = codeAt(alice, h.clock.now);
    expect(await login(now)).toMatchObject({ kind: 'authenticated' });
    expect(await login(now)).toEqual(WRONG);
    // Still inside the window one step later: the same code is valid by time, but spent.
    h.clock.now += STEP_MS;
    expect(await login(now)).toEqual(WRONG);
    // The previous step's code was never used, but it is older than the last one accepted.
    expect(await login(codeAt(alice, h.clock.now - 2 * STEP_MS))).toEqual(WRONG);
    expect(await login(codeAt(alice, h.clock.now))).toMatchObject({ kind: 'authenticated' });
  });

  it('accepts the previous and the next step (window 1), not two steps away', async () => {
    // Far enough from the confirmation's step that none of these is older than it.
    h.clock.now += 5 * STEP_MS;
    const t = h.clock.now;
    expect(await login(codeAt(alice, t - 2 * STEP_MS))).toEqual(WRONG);
    expect(await login(codeAt(alice, t + 2 * STEP_MS))).toEqual(WRONG);
    expect(await login(codeAt(alice, t - STEP_MS))).toMatchObject({ kind: 'authenticated' });
    expect(await login(codeAt(alice, t + STEP_MS))).toMatchObject({ kind: 'authenticated' });
  });

  it('places the window by the step the clock is in: at its last millisecond and at the next one', async () => {
    const carol = await h.enrolConfirmed('carol');
    // S: a step after both confirmations.
    const s = h.clock.now - (h.clock.now % STEP_MS) + 5 * STEP_MS;
    h.clock.now = s + STEP_MS - 1;
    expect(await login(codeAt(alice, s - STEP_MS))).toMatchObject({ kind: 'authenticated' });
    h.clock.now = s + STEP_MS;
    expect(await h.login({ username: 'carol', code: codeAt(carol, s - STEP_MS) })).toEqual(WRONG);
    expect(await h.login({ username: 'carol', code: codeAt(carol, s) })).toMatchObject({
      kind: 'authenticated',
    });
  });

  it('accepts only the current step with window 0', async () => {
    const strict = await startAuthTotp({ window: 0 });
    const bob = await strict.enrolConfirmed('bob');
    const t = strict.clock.now;
    expect(await strict.login({ username: 'bob', code: codeAt(bob, t - STEP_MS) })).toEqual(WRONG);
    expect(await strict.login({ username: 'bob', code: codeAt(bob, t + STEP_MS) })).toEqual(WRONG);
    expect(await strict.login({ username: 'bob', code: codeAt(bob, t) })).toMatchObject({
      kind: 'authenticated',
    });
    await strict.close();
  });

  it('accepts a JSON number for a code, its leading zeros restored; refuses other shapes as wrong', async () => {
    // Find a time whose code starts with 0, as a client sending numbers would lose it.
    let t = h.clock.now;
    while (!codeAt(alice, t).startsWith('0')) t += STEP_MS;
    h.clock.now = t;
    expect(await login(Number(codeAt(alice, t)))).toMatchObject({ kind: 'authenticated' });
    h.clock.now += STEP_MS;
    const code = codeAt(alice, h.clock.now);
    expect(await login(`${code}0`)).toEqual(WRONG);
    expect(await login(` ${code.slice(1)}`)).toEqual(WRONG);
    expect(await login({ $ne: '' })).toEqual(WRONG);
    expect(await login(code, { $ne: '' })).toEqual(WRONG);
  });

  it('fails on a missing username or code before any work, with "Missing credentials"', async () => {
    expect(await h.login({ username: 'alice' })).toEqual({ kind: 'failed', message: 'Missing credentials' });
    expect(await h.login({ code: codeAt(alice, h.clock.now) })).toEqual({
      kind: 'failed',
      message: 'Missing credentials',
    });
    expect(await h.login({})).toEqual({ kind: 'failed', message: 'Missing credentials' });
  });

  it('keeps replay protection in the store: another instance on the same store refuses a spent code', async () => {
    const code = codeAt(alice, h.clock.now);
    expect(await login(code)).toMatchObject({ kind: 'authenticated' });
    const other = await h.restart();
    expect(await other.login({ username: 'alice', code })).toEqual(WRONG);
  });

  it('accepts exactly one of two concurrent logins with the same code', async () => {
    const other = await h.restart();
    const code = codeAt(alice, h.clock.now);
    const outcomes = await Promise.all([
      h.login({ username: 'alice', code }),
      other.login({ username: 'alice', code }),
      h.login({ username: 'alice', code }),
    ]);
    expect(outcomes.filter((outcome) => outcome.kind === 'authenticated')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'failed')).toHaveLength(2);
  });

  it('refuses every code login when standaloneLogin is false, saying why', async () => {
    const plugin = await h.restart({ standaloneLogin: false });
    expect(await plugin.login({ username: 'alice', code: codeAt(alice, h.clock.now) })).toEqual({
      kind: 'failed',
      message:
        'Logging in with a one-time code alone is disabled: send the code with the login of the first factor.',
    });
  });

  it('forgets the claims of steps no code can match any more', async () => {
    expect(await login(codeAt(alice, h.clock.now))).toMatchObject({ kind: 'authenticated' });
    h.clock.now += 10 * STEP_MS;
    expect(await login(codeAt(alice, h.clock.now))).toMatchObject({ kind: 'authenticated' });
    const used = await (await h.storage.collection('used-steps')).search({}, { size: 100 });
    expect(used.hits.map((hit) => hit._source.kuid)).toEqual(['alice']);
    expect((await h.enrolments())[0]?.lastUsedStep).toBe(h.clock.now / STEP_MS);
  });
});
