/**
 * The `auth:strategyAuthenticated` pipeline of `auth:login`: it runs after a strategy named an existing user and
 * before the token, with the strategy, the kuid and the login request; a pipe that throws refuses the login with
 * its error, issues no token and counts as a failed login for the throttle. Logins go through the real Funnel,
 * auth controller and security services, with a strategy that accepts any body naming a `username`.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createMemoryLimiterStore } from '@tessera/cluster';
import {
  tesseraError,
  type ConnectionInfo,
  type KernelEvents,
  type PassportRequest,
  type PassportStrategyActions,
  type StrategyDefinition,
} from '@tessera/plugin-sdk';
import { Funnel } from '../../src/api/funnel';
import type { Request } from '../../src/api/request';
import { authController } from '../../src/controllers/auth-controller';
import { LoginThrottle } from '../../src/security/login-throttle';
import { openHarness, type Harness } from './security-services-fixture';

const connection: ConnectionInfo = {
  id: 'connection-1',
  protocol: 'http',
  address: '10.0.0.7',
  ips: ['10.0.0.7'],
  headers: {},
};

type Verify = (
  request: PassportRequest,
  username: unknown,
  done: (error: unknown, user?: string | false, info?: unknown) => void,
) => void;

/** Authenticates the user the body's `username` names, through the kernel's verify adapter. */
class UsernameIsKuid {
  constructor(
    _options: Record<string, unknown>,
    private readonly verify: Verify,
  ) {}

  authenticate(this: UsernameIsKuid & PassportStrategyActions, request: PassportRequest): void {
    this.verify(request, request.body.username, (error, user, info) => {
      if (error) this.error(error);
      else if (user) this.success(user);
      else this.fail(info);
    });
  }
}

const strategy: StrategyDefinition = {
  authenticator: UsernameIsKuid as unknown as StrategyDefinition['authenticator'],
  methods: {
    verify: (_request: PassportRequest, username: unknown) =>
      Promise.resolve(typeof username === 'string' && username !== 'nobody' ? { kuid: username } : false),
    exists: () => Promise.resolve(false),
    validate: () => Promise.resolve(true),
    create: () => Promise.resolve({}),
    update: () => Promise.resolve({}),
    delete: () => Promise.resolve(),
  },
};

let harness: Harness;
let funnel: Funnel;
let seen: KernelEvents['auth:strategyAuthenticated'][];

beforeEach(async () => {
  harness = await openHarness();
  harness.services.strategies.registrarFor('test').register('pass', strategy);
  // One failure locks the username: a refused pipe must count as one.
  const throttle = new LoginThrottle(
    {
      ...harness.services.config.login,
      lockoutThreshold: 1,
      lockoutDuration: 60_000,
    },
    createMemoryLimiterStore(),
  );
  harness.registry.register('auth', authController({ ...harness.services, throttle }));
  funnel = new Funnel({
    registry: harness.registry,
    bus: harness.services.bus,
    log: harness.services.log,
    authorizer: {
      authorize: (request: Request) => {
        request.user = { _id: '-1', profileIds: ['anonymous'] };
        return Promise.resolve();
      },
    },
    limits: { concurrentRequests: 10, requestsBufferSize: 10 },
  });
  for (const kuid of ['alice', 'bob']) {
    await harness.services.accounts.users.create({ profileIds: ['default'] }, '-1', { id: kuid });
  }
  seen = [];
  harness.services.bus.hook(
    'auth:loginFailed',
    (payload) => void harness.events.push({ event: 'auth:loginFailed', payload }),
  );
  harness.services.bus.hook(
    'auth:login',
    (payload) => void harness.events.push({ event: 'auth:login', payload }),
  );
});

afterEach(async () => {
  await harness.close();
});

const login = (username: string, extra: Record<string, unknown> = {}) =>
  funnel.execute(
    { controller: 'auth', action: 'login', strategy: 'pass', body: { username, ...extra } },
    connection,
  );

const eventNames = () => harness.events.map(({ event }) => event);

describe('auth:strategyAuthenticated', () => {
  it('runs with the strategy, the kuid and the login request, before the token is issued', async () => {
    harness.services.bus.pipe('auth:strategyAuthenticated', (payload) => {
      seen.push(payload);
      // Nothing is issued yet when the pipe runs.
      expect(eventNames()).not.toContain('token:created');
      return payload;
    });

    const request = await login('alice', { code: '123456' });

    expect(request.error).toBeNull();
    expect(request.result).toMatchObject({ _id: 'alice', jwt: expect.stringMatching(/^kauth-/) });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.strategy).toBe('pass');
    expect(seen[0]?.kuid).toBe('alice');
    expect(seen[0]?.request.input.body).toEqual({ username: 'alice', code: '123456' });
    expect(eventNames()).toEqual(['token:created', 'auth:login']);
  });

  it('is not run when the strategy refuses the credentials', async () => {
    harness.services.bus.pipe('auth:strategyAuthenticated', (payload) => {
      seen.push(payload);
      return payload;
    });

    const request = await login('nobody');

    expect(request.error?.id).toBe('plugin.strategy.missing_user');
    expect(seen).toEqual([]);
  });

  it('refuses the login with the error a pipe throws: no token, auth:loginFailed, counted by the throttle', async () => {
    harness.services.bus.pipe('auth:strategyAuthenticated', (payload) => {
      if (payload.request.input.body?.code !== 'right')
        throw tesseraError('security.rights.forbidden', 'auth', 'login');
      return payload;
    });

    const refused = await login('alice');

    expect(refused.error?.id).toBe('security.rights.forbidden');
    expect(refused.status).toBe(403);
    expect(refused.result).toBeNull();
    expect(eventNames()).toEqual(['auth:loginFailed']);
    expect(harness.events[0]?.payload).toMatchObject({ strategy: 'pass', ip: '10.0.0.7' });
    // lockoutThreshold 1: the refusal was a failure, so even the right code is now turned away.
    expect((await login('alice', { code: 'right' })).error?.id).toBe('security.user.locked');
    // Another username was not touched.
    const bob = await login('bob', { code: 'right' });
    expect(bob.error).toBeNull();
    expect(bob.result).toMatchObject({ _id: 'bob' });
  });

  it('issues the token for the kuid the strategy named, whatever a pipe returns', async () => {
    harness.services.bus.pipe('auth:strategyAuthenticated', (payload) => ({ ...payload, kuid: 'bob' }));

    const request = await login('alice');

    expect(request.result).toMatchObject({ _id: 'alice' });
  });
});
