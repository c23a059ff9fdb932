/**
 * StrategyRegistry: the authentication strategies plugins registered, who owns each, and the passport
 * strategy built for it. A definition is checked when it is registered (not at the first login), every
 * credential method except `verify` is wrapped so a plugin's raw error becomes `plugin.runtime.unexpected_error`,
 * except `validate`'s (a refusal: `security.credentials.rejected`), and only the owning plugin may replace or
 * remove a strategy.
 */
import type {
  PassportStrategy,
  StrategyDefinition,
  StrategyMethods,
  StrategyRegistrar,
} from '@tessera/plugin-sdk';
import { TesseraError, isTesseraError, tesseraError } from '@tessera/plugin-sdk';
import { messageOf } from '../../internal/message-of';
import { createVerifyAdapter } from './verify-adapter';

export interface RegisteredStrategy {
  readonly name: string;
  readonly owner: string;
  readonly fields: readonly string[];
  /** The login field naming the account (passport-local's `usernameField` option, else `username`): the throttle's key. */
  readonly usernameField: string;
  readonly authenticateOptions: Readonly<Record<string, unknown>>;
  readonly passport: PassportStrategy;
  /** The plugin's methods; all but `verify` rethrow foreign errors as `plugin.runtime.unexpected_error`. */
  readonly methods: StrategyMethods;
}

const NAME = /^[a-z][a-z0-9_-]*$/;
const REQUIRED_METHODS = ['verify', 'exists', 'validate', 'create', 'update', 'delete'] as const;
const OPTIONAL_METHODS = [
  'getInfo',
  'getById',
  'search',
  'refreshToken',
  'startLink',
  'changesSecret',
] as const;

export class StrategyRegistry {
  private readonly strategies = new Map<string, RegisteredStrategy>();

  /** The `ctx.strategies` of one plugin: everything it registers is stamped with its name. */
  registrarFor(owner: string): StrategyRegistrar {
    return Object.freeze({
      register: (name: string, definition: StrategyDefinition) => this.register(owner, name, definition),
      unregister: (name: string) => this.unregister(owner, name),
    });
  }

  /** Drops every strategy `owner` registered (its plugin is being torn down). */
  removeOwnedBy(owner: string): void {
    for (const [name, strategy] of this.strategies)
      if (strategy.owner === owner) this.strategies.delete(name);
  }

  names(): string[] {
    return [...this.strategies.keys()];
  }

  all(): RegisteredStrategy[] {
    return [...this.strategies.values()];
  }

  /** `security.credentials.unknown_strategy` when there is none by that name. */
  get(name: string): RegisteredStrategy {
    const strategy = this.strategies.get(name);
    if (!strategy) throw tesseraError('security.credentials.unknown_strategy', name);
    return strategy;
  }

  private register(owner: string, name: string, definition: StrategyDefinition): void {
    const existing = this.strategies.get(name);
    if (existing && existing.owner !== owner)
      throw tesseraError('plugin.strategy.unauthorized_removal', name);
    checkDefinition(name, definition);
    const methods = wrapMethods(definition.methods);
    let passport: PassportStrategy;
    try {
      passport = new definition.authenticator(
        { ...definition.strategyOptions, passReqToCallback: true },
        createVerifyAdapter(name, definition.methods),
      );
    } catch (error) {
      throw new TesseraError('plugin.strategy.failed_registration', [name, messageOf(error)], {
        cause: error,
      });
    }
    // Checked now: without `authenticate`, every login would fail with a TypeError.
    if (typeof (passport as Partial<PassportStrategy> | null)?.authenticate !== 'function') {
      throw tesseraError(
        'plugin.strategy.invalid_definition',
        name,
        '"authenticator" must build a passport strategy (an object with an "authenticate" method)',
      );
    }
    this.strategies.set(name, {
      name,
      owner,
      fields: Object.freeze([...(definition.fields ?? [])]),
      usernameField: usernameFieldOf(definition),
      authenticateOptions: Object.freeze({ ...definition.authenticateOptions }),
      passport,
      methods,
    });
  }

  private unregister(owner: string, name: string): void {
    const existing = this.strategies.get(name);
    if (!existing) throw tesseraError('plugin.strategy.strategy_not_found', name);
    if (existing.owner !== owner) throw tesseraError('plugin.strategy.unauthorized_removal', name);
    this.strategies.delete(name);
  }
}

function checkDefinition(name: string, definition: StrategyDefinition): void {
  const invalid = (why: string) => tesseraError('plugin.strategy.invalid_definition', name, why);
  if (!NAME.test(name)) throw invalid(`the name must match ${NAME.source}`);
  if (typeof definition !== 'object' || definition === null)
    throw invalid('the definition must be an object');
  if (typeof definition.authenticator !== 'function')
    throw invalid('"authenticator" must be a passport strategy constructor');
  if (typeof definition.methods !== 'object' || definition.methods === null)
    throw invalid('"methods" must be an object');
  const table = definition.methods as unknown as Record<string, unknown>;
  for (const method of REQUIRED_METHODS) {
    if (typeof table[method] !== 'function') throw invalid(`the method "${method}" is required`);
  }
  for (const method of OPTIONAL_METHODS) {
    if (table[method] !== undefined && typeof table[method] !== 'function')
      throw invalid(`"${method}" must be a function when given`);
  }
  if (
    definition.fields !== undefined &&
    !(Array.isArray(definition.fields) && definition.fields.every((field) => typeof field === 'string'))
  ) {
    throw invalid('"fields" must be an array of strings');
  }
}

function usernameFieldOf(definition: StrategyDefinition): string {
  const field = definition.strategyOptions?.usernameField;
  return typeof field === 'string' && field !== '' ? field : 'username';
}

type UnboundMethod = (this: void, ...args: unknown[]) => unknown;

function wrapMethods(methods: StrategyMethods): StrategyMethods {
  const table = methods as unknown as Record<string, UnboundMethod | undefined>;
  const wrapped: Record<string, UnboundMethod> = {};
  for (const name of [...REQUIRED_METHODS, ...OPTIONAL_METHODS]) {
    const method = table[name];
    if (method === undefined) continue;
    // verify's rejections are passport's business (the login fails with them as they are).
    wrapped[name] =
      name === 'verify'
        ? (...args) => Reflect.apply(method, methods, args) as unknown
        : async (...args) => {
            try {
              return (await Reflect.apply(method, methods, args)) as unknown;
            } catch (error) {
              if (isTesseraError(error)) throw error;
              // A plain error from `validate` is the plugin refusing the credentials, as Kuzzle reads it.
              const id =
                name === 'validate' ? 'security.credentials.rejected' : 'plugin.runtime.unexpected_error';
              throw new TesseraError(id, [messageOf(error)], { cause: error });
            }
          };
  }
  return wrapped as unknown as StrategyMethods;
}
