import {
  StrategyRegistry,
  authenticate,
  claimedUsername,
  passportRequestOf,
  requestFromEnvelope,
  type RegisteredStrategy,
} from '@tessera/kernel';
import type {
  PassportRequest,
  PassportStrategyActions,
  StrategyDefinition,
  StrategyMethods,
  VerifyResult,
} from '@tessera/plugin-sdk';
import { TesseraError } from '@tessera/plugin-sdk';

/** A minimal passport strategy: reads username/password from the body, as passport-local does. */
class FormStrategy {
  name = 'form';
  constructor(
    readonly options: Record<string, unknown>,
    private readonly verify: (...args: unknown[]) => void,
  ) {}
  authenticate(this: FormStrategy & PassportStrategyActions, req: PassportRequest): void {
    const { username, password } = req.body as { username?: string; password?: string };
    if (!username || !password) return this.fail({ message: 'Missing credentials' }, 400);
    this.verify(
      req,
      username,
      password,
      (error: unknown, user?: string | false, info?: { message: string }) => {
        if (error) return this.error(error);
        if (!user) return this.fail(info);
        this.success(user);
      },
    );
  }
}

/** A strategy that only redirects, as OAuth strategies do on the first call. */
class RedirectStrategy {
  constructor(_options: unknown, _verify: unknown) {}
  authenticate(this: PassportStrategyActions): void {
    this.redirect('https://provider.example/authorize?state=x');
  }
}

function methods(verify: (...args: unknown[]) => unknown): StrategyMethods {
  return {
    verify: verify as StrategyMethods['verify'],
    exists: () => Promise.resolve(true),
    validate: () => Promise.resolve(true),
    create: () => Promise.resolve({}),
    update: () => Promise.resolve({}),
    delete: () => Promise.reject(new Error('disk on fire')),
  };
}

function definition(
  verify: (...args: unknown[]) => unknown,
  authenticator: unknown = FormStrategy,
): StrategyDefinition {
  return {
    authenticator: authenticator as StrategyDefinition['authenticator'],
    fields: ['username', 'password'],
    methods: methods(verify),
  };
}

const loginRequest = (body: Record<string, unknown>) =>
  requestFromEnvelope(
    { controller: 'auth', action: 'login', strategy: 'form', body },
    { id: 'c', protocol: 'http', address: null, ips: [], headers: {} },
  );

const users: Record<string, string> = { my: 'secret' };
const checkPassword = (_req: unknown, username: unknown, password: unknown): Promise<VerifyResult> =>
  Promise.resolve(
    users[username as string] === password
      ? { kuid: `kuid-${String(username)}` }
      : { kuid: null, message: 'wrong username or password' },
  );

describe('strategy registry', () => {
  it('builds the passport strategy with passReqToCallback and lists the strategy', () => {
    const registry = new StrategyRegistry();
    registry.registrarFor('auth-form').register('form', definition(checkPassword));
    const strategy = registry.get('form');
    expect(registry.names()).toEqual(['form']);
    expect((strategy.passport as unknown as FormStrategy).options).toEqual({ passReqToCallback: true });
    expect(strategy.owner).toBe('auth-form');
    expect(strategy.fields).toEqual(['username', 'password']);
  });

  it('refuses an unknown strategy with security.credentials.unknown_strategy', () => {
    expect(() => new StrategyRegistry().get('nope')).toThrow(
      expect.objectContaining({
        id: 'security.credentials.unknown_strategy',
        message: 'Unknown authentication strategy "nope"',
      }),
    );
  });

  it('checks definitions when they are registered', () => {
    const registry = new StrategyRegistry();
    const registrar = registry.registrarFor('p');
    const valid = definition(checkPassword);
    expect(() => registrar.register('Bad Name', valid)).toThrow(
      expect.objectContaining({ id: 'plugin.strategy.invalid_definition' }),
    );
    expect(() => registrar.register('x', { ...valid, authenticator: undefined as never })).toThrow(
      /authenticator/,
    );
    const incomplete = { ...valid.methods, exists: undefined } as unknown as StrategyMethods;
    expect(() => registrar.register('x', { ...valid, methods: incomplete })).toThrow(/"exists" is required/);
    class Exploding {
      constructor() {
        throw new Error('bad options');
      }
    }
    expect(() => registrar.register('x', { ...valid, authenticator: Exploding as never })).toThrow(
      expect.objectContaining({
        id: 'plugin.strategy.failed_registration',
        message: 'Failed to register strategy "x": bad options',
      }),
    );
    class NotAStrategy {}
    expect(() => registrar.register('x', { ...valid, authenticator: NotAStrategy as never })).toThrow(
      expect.objectContaining({
        id: 'plugin.strategy.invalid_definition',
        message:
          'Strategy "x": "authenticator" must build a passport strategy (an object with an "authenticate" method)',
      }),
    );
    expect(registry.names()).toEqual([]);
  });

  it('lets only the owner replace or remove a strategy, and drops a plugin strategies on teardown', () => {
    const registry = new StrategyRegistry();
    registry.registrarFor('owner').register('form', definition(checkPassword));
    expect(() => registry.registrarFor('intruder').register('form', definition(checkPassword))).toThrow(
      expect.objectContaining({ id: 'plugin.strategy.unauthorized_removal' }),
    );
    expect(() => registry.registrarFor('intruder').unregister('form')).toThrow(
      expect.objectContaining({ id: 'plugin.strategy.unauthorized_removal' }),
    );
    expect(() => registry.registrarFor('owner').register('form', definition(checkPassword))).not.toThrow();
    registry.removeOwnedBy('owner');
    expect(registry.names()).toEqual([]);
  });

  it('wraps a raw error of a credential method, and passes catalog errors through', async () => {
    const registry = new StrategyRegistry();
    const def = definition(checkPassword);
    def.methods.validate = () =>
      Promise.reject(new TesseraError('security.credentials.rejected', ['too short']));
    registry.registrarFor('p').register('form', def);
    const { methods: wrapped } = registry.get('form');
    const request = loginRequest({});
    await expect(wrapped.delete(request, 'k', 'form')).rejects.toMatchObject({
      id: 'plugin.runtime.unexpected_error',
      message: 'Caught an unexpected plugin error: disk on fire',
    });
    await expect(wrapped.validate(request, {}, 'k', 'form', false)).rejects.toMatchObject({
      id: 'security.credentials.rejected',
    });
  });
});

describe('authenticate', () => {
  const registered = (verify: (...args: unknown[]) => unknown, authenticator?: unknown) => {
    const registry = new StrategyRegistry();
    registry.registrarFor('p').register('form', definition(verify, authenticator));
    return registry.get('form');
  };
  const login = (strategy: RegisteredStrategy, body: Record<string, unknown>) =>
    authenticate(strategy, passportRequestOf(strategy, loginRequest(body)));

  it('resolves the kuid named by verify', async () => {
    await expect(login(registered(checkPassword), { username: 'my', password: 'secret' })).resolves.toEqual({
      kind: 'authenticated',
      kuid: 'kuid-my',
    });
  });

  it('reports the strategy message on wrong credentials, and passport-style missing fields', async () => {
    await expect(login(registered(checkPassword), { username: 'my', password: 'nope' })).resolves.toEqual({
      kind: 'failed',
      message: 'wrong username or password',
    });
    await expect(login(registered(checkPassword), {})).resolves.toEqual({
      kind: 'failed',
      message: 'Missing credentials',
    });
  });

  it('uses the default failure message when verify resolves false or {kuid: null}', async () => {
    for (const answer of [false, { kuid: null }]) {
      await expect(
        login(
          registered(() => Promise.resolve(answer)),
          { username: 'a', password: 'b' },
        ),
      ).resolves.toEqual({
        kind: 'failed',
        message: 'Unable to log in using the strategy "form"',
      });
    }
  });

  it.each([
    ['a non-promise', () => ({ kuid: 'x' }), 'plugin.strategy.invalid_verify_return'],
    ['a non-object', () => Promise.resolve('x'), 'plugin.strategy.invalid_verify_resolve'],
    ['a non-string kuid', () => Promise.resolve({ kuid: 42 }), 'plugin.strategy.invalid_kuid'],
  ])('refuses verify returning %s', async (_what, verify, id) => {
    await expect(login(registered(verify), { username: 'a', password: 'b' })).rejects.toMatchObject({ id });
  });

  it('rejects with the error verify rejects with', async () => {
    const refusal = new TesseraError('plugin.strategy.missing_user', ['Expired password']);
    await expect(
      login(
        registered(() => Promise.reject(refusal)),
        { username: 'a', password: 'b' },
      ),
    ).rejects.toBe(refusal);
  });

  it('reports a redirect for multi-step strategies', async () => {
    await expect(login(registered(checkPassword, RedirectStrategy), {})).resolves.toEqual({
      kind: 'redirect',
      url: 'https://provider.example/authorize?state=x',
      status: 302,
    });
  });
});

describe('claimedUsername: the username a login attempt names, read as passport-local reads it', () => {
  const strategy = (strategyOptions: Record<string, unknown> = {}) => {
    const registry = new StrategyRegistry();
    registry.registrarFor('p').register('form', { ...definition(checkPassword), strategyOptions });
    return registry.get('form');
  };
  const claimed = (envelope: Record<string, unknown>, registered = strategy()) =>
    claimedUsername(
      registered,
      passportRequestOf(
        registered,
        requestFromEnvelope(
          { controller: 'auth', action: 'login', strategy: 'form', ...envelope },
          { id: 'c', protocol: 'websocket', address: null, ips: [], headers: {} },
        ),
      ),
    );

  it('reads the body first, then the top-level arguments', () => {
    expect(claimed({ body: { username: 'alice' }, username: 'bob' })).toBe('alice');
    expect(claimed({ username: 'bob' })).toBe('bob');
    expect(claimed({ body: { password: 'x' } })).toBeNull();
  });

  it('falls back to the arguments when the body value is empty, false or an object', () => {
    for (const username of ['', 0, false, null, { nested: 'x' }, ['x']]) {
      expect(claimed({ body: { username }, username: 'bob' })).toBe('bob');
    }
  });

  it('keys a number as the string a coercing strategy would read, and nothing else that is not a string', () => {
    expect(claimed({ body: { username: 42 } })).toBe('42');
    expect(claimed({ body: { username: true } })).toBeNull();
  });

  it("follows the strategy's usernameField, nested fields included", () => {
    expect(
      claimed({ body: { email: 'a@example.org', username: 'x' } }, strategy({ usernameField: 'email' })),
    ).toBe('a@example.org');
    expect(claimed({ body: { user: { name: 'alice' } } }, strategy({ usernameField: 'user[name]' }))).toBe(
      'alice',
    );
  });
});
