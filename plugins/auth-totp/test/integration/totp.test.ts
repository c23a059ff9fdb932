/**
 * The TOTP plugin in a real server, driven by the official kuzzle-sdk over Http and WebSocket: enrolment with a
 * first code, code logins (valid, wrong, replayed), and the second factor of local logins. Codes are computed as
 * an authenticator app does, with otpauth, from the otpauth:// URI the enrolment answered. The plugin's clock is
 * the real one plus an offset the tests move by whole steps, so a test never waits for the next code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createAuthTotpPlugin } from '@tessera/plugin-auth-totp';
import type { PluginManifest } from '@tessera/plugin-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import type { TOTP } from 'otpauth';
import { URI } from 'otpauth';

const STEP_MS = 30_000;
const manifest = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'manifest.json'), 'utf8'),
) as PluginManifest;

const protocols = [
  ['Http', (port: number) => new Http('127.0.0.1', { port })],
  ['WebSocket', (port: number) => new WebSocket('127.0.0.1', { port })],
] as const;

interface Enrolment {
  kuid: string;
  confirmed: boolean;
  secret: string;
  uri: string;
  qrCode: string;
}

/** What the SDK rejects with. */
interface SdkError {
  id: string;
  status: number;
  message: string;
}

async function refusal(work: Promise<unknown>): Promise<SdkError> {
  try {
    await work;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to be refused');
}

describe('the plugin folder', () => {
  it('loads as a server loads it, from its manifest and built entry, and registers "totp"', async () => {
    const server = await startTestKernel({ plugins: [{ dir: join(__dirname, '..', '..') }] });
    try {
      const answer = await fetch(`${server.url}/strategies`);
      expect(((await answer.json()) as { result: string[] }).result).toContain('totp');
    } finally {
      await server.stop();
    }
  });
});

describe.each(protocols)('auth-totp over %s', (_name, makeProtocol) => {
  let server: TestKernel;
  let kuzzle: Kuzzle;
  /** Added to the real time on the plugin's clock. */
  let offset: number;
  const now = () => Date.now() + offset;
  /** The code an authenticator app holding `enrolment` shows on the plugin's clock. */
  const code = (enrolment: Enrolment) => (URI.parse(enrolment.uri) as TOTP).generate({ timestamp: now() });
  /** A code of the right shape that is none of the codes around the plugin's clock. */
  const wrongCode = (enrolment: Enrolment) => {
    const otp = URI.parse(enrolment.uri) as TOTP;
    const taken = new Set(
      [-2, -1, 0, 1, 2].map((steps) => otp.generate({ timestamp: now() + steps * STEP_MS })),
    );
    let candidate = 0;
    while (taken.has(String(candidate).padStart(6, '0'))) candidate += 1;
    return String(candidate).padStart(6, '0');
  };
  /** Moves the plugin's clock to the next step: the codes used so far are behind it. */
  const nextStep = () => {
    offset += STEP_MS;
  };

  const start = async (config: Record<string, unknown>) => {
    server = await startTestKernel({
      plugins: [...builtInPlugins(), { manifest, definition: createAuthTotpPlugin({ now }) }],
      overrides: {
        plugins: { 'auth-totp': config },
        // The tests fail logins on purpose, from one address, for one username.
        security: { login: { attemptsPerAddress: 0, attemptsPerUsername: 0 } },
      },
    });
    kuzzle = new Kuzzle(makeProtocol(server.port));
    await kuzzle.connect();
  };

  const createUser = (kuid: string, username: string) =>
    kuzzle.security.createUser(kuid, {
      content: { profileIds: ['default'] },
      credentials: { local: { username, password: `${username}-password` } },
    });

  beforeEach(() => {
    offset = 0;
  });

  afterEach(async () => {
    kuzzle?.disconnect();
    await server?.stop();
  });

  describe('as a login strategy', () => {
    beforeEach(() => start({ issuer: 'Tessera tests' }));

    it('enrols, confirms with a first code, then logs in with a code; wrong and replayed codes get a clean 401', async () => {
      await createUser('mylehuong', 'my');
      await kuzzle.auth.login('local', { username: 'my', password: 'my-password' });

      const enrolment = (await kuzzle.auth.createMyCredentials('totp', {})) as unknown as Enrolment;
      expect(enrolment).toMatchObject({
        kuid: 'mylehuong',
        confirmed: false,
        uri: expect.stringMatching(/^otpauth:\/\/totp\/Tessera%20tests:mylehuong\?/),
        qrCode: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      });
      // Shown once: afterwards no answer carries the secret.
      const info = await kuzzle.auth.getMyCredentials('totp');
      expect(info).toMatchObject({ kuid: 'mylehuong', confirmed: false });
      expect(JSON.stringify(info)).not.toContain(enrolment.secret);
      expect(JSON.stringify(await kuzzle.security.getCredentials('totp', 'mylehuong'))).not.toContain(
        enrolment.secret,
      );
      // Pending: a code does not log in yet.
      const pending = await refusal(
        kuzzle.auth.login('totp', { username: 'mylehuong', code: code(enrolment) }),
      );
      expect(pending.status).toBe(401);

      nextStep();
      const confirmed = await kuzzle.auth.updateMyCredentials('totp', { code: code(enrolment) });
      expect(confirmed).toMatchObject({ confirmed: true });

      await kuzzle.auth.logout();
      nextStep();
      const valid = code(enrolment);
      const jwt = await kuzzle.auth.login('totp', { username: 'mylehuong', code: valid });
      expect(jwt).toMatch(/^kauth-/);
      expect((await kuzzle.auth.getCurrentUser())._id).toBe('mylehuong');
      await kuzzle.auth.logout();

      const unknown = await refusal(kuzzle.auth.login('totp', { username: 'nobody', code: valid }));
      expect(unknown).toMatchObject({ id: 'plugin.strategy.missing_user', status: 401 });
      const wrong = await refusal(
        kuzzle.auth.login('totp', { username: 'mylehuong', code: wrongCode(enrolment) }),
      );
      const replayed = await refusal(kuzzle.auth.login('totp', { username: 'mylehuong', code: valid }));
      for (const error of [wrong, replayed]) {
        expect(error).toMatchObject({ id: unknown.id, status: 401, message: unknown.message });
      }
      expect(unknown.message).toBe('wrong username or one-time code');
    });

    it('lets users delete their own confirmed enrolment only with a current code', async () => {
      await createUser('mylehuong', 'my');
      await kuzzle.auth.login('local', { username: 'my', password: 'my-password' });
      const enrolment = (await kuzzle.auth.createMyCredentials('totp', {})) as unknown as Enrolment;
      await kuzzle.auth.updateMyCredentials('totp', { code: code(enrolment) });
      nextStep();

      const without = await refusal(kuzzle.auth.deleteMyCredentials('totp'));
      expect(without).toMatchObject({ id: 'plugin.auth-totp.code_required', status: 401 });
      // kuzzle-sdk's deleteMyCredentials sends no body: the generic query does.
      const deleted = await kuzzle.query({
        controller: 'auth',
        action: 'deleteMyCredentials',
        strategy: 'totp',
        body: { code: code(enrolment) },
      });
      expect(deleted.result).toEqual({ acknowledged: true });
      expect(await kuzzle.auth.credentialsExist('totp')).toBe(false);
    });

    it('answers the enrolment of a user who has one with plugin.auth-totp.credentials_exist', async () => {
      await createUser('mylehuong', 'my');
      await kuzzle.security.createCredentials('totp', 'mylehuong', {});
      const again = await refusal(kuzzle.security.createCredentials('totp', 'mylehuong', {}));
      expect(again).toMatchObject({ id: 'plugin.auth-totp.credentials_exist', status: 412 });
    });
  });

  describe('as the second factor of local logins', () => {
    beforeEach(() => start({ secondFactor: { strategies: ['local'] } }));

    it('refuses a local login without the code with plugin.auth-totp.code_required, and accepts it with one', async () => {
      await createUser('mylehuong', 'my');
      const enrolment = (await kuzzle.security.createCredentials(
        'totp',
        'mylehuong',
        {},
      )) as unknown as Enrolment;
      // Pending enrolments ask nothing yet: the user has not shown they hold the device.
      expect(await kuzzle.auth.login('local', { username: 'my', password: 'my-password' })).toMatch(
        /^kauth-/,
      );
      await kuzzle.auth.logout();
      await kuzzle.security.updateCredentials('totp', 'mylehuong', { code: code(enrolment) });
      nextStep();

      const missing = await refusal(kuzzle.auth.login('local', { username: 'my', password: 'my-password' }));
      expect(missing).toMatchObject({
        id: 'plugin.auth-totp.code_required',
        status: 401,
        message: 'A one-time code is required: send "code" with the login.',
      });
      const valid = code(enrolment);
      const wrong = await refusal(
        kuzzle.auth.login('local', { username: 'my', password: 'my-password', code: wrongCode(enrolment) }),
      );
      expect(wrong).toMatchObject({ id: 'plugin.auth-totp.invalid_code', status: 401 });
      // A wrong password is still the local strategy's answer: the code is asked for only after the password.
      const badPassword = await refusal(
        kuzzle.auth.login('local', { username: 'my', password: 'nope', code: valid }),
      );
      expect(badPassword).toMatchObject({ id: 'plugin.strategy.missing_user', status: 401 });

      const jwt = await kuzzle.auth.login('local', { username: 'my', password: 'my-password', code: valid });
      expect(jwt).toMatch(/^kauth-/);
      expect((await kuzzle.auth.getCurrentUser())._id).toBe('mylehuong');
      await kuzzle.auth.logout();
      const replayed = await refusal(
        kuzzle.auth.login('local', { username: 'my', password: 'my-password', code: valid }),
      );
      expect(replayed).toMatchObject({ id: 'plugin.auth-totp.invalid_code' });
      // The code alone is no way in: it would skip the password.
      nextStep();
      const alone = await refusal(
        kuzzle.auth.login('totp', { username: 'mylehuong', code: code(enrolment) }),
      );
      expect(alone).toMatchObject({ id: 'plugin.strategy.missing_user', status: 401 });
    });

    it('asks nothing of users who are not enrolled', async () => {
      await createUser('other', 'other');
      expect(await kuzzle.auth.login('local', { username: 'other', password: 'other-password' })).toMatch(
        /^kauth-/,
      );
    });
  });
});
