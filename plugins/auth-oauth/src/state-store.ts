/**
 * The `state` of login attempts, kept in the plugin's storage instead of a session (the kernel has none).
 * passport-oauth2 calls `store` when it redirects to the provider and `verify` when the provider sends the
 * browser back. A state names the strategy that made it, carries the PKCE code verifier and the hash of the
 * browser binding, expires after `ttlMs`, and is deleted by the first `verify` that sees it: of two callbacks
 * with one state, only the one whose delete succeeds goes on. An attempt started with a link ticket (see
 * link-tickets.ts) also carries the user it links the identity to.
 */
import { randomBytes } from 'node:crypto';
import {
  tesseraError,
  type ApiRequest,
  type DocumentCollection,
  type PassportRequest,
  type StorageNamespace,
} from '@tessera/plugin-sdk';
import { createBinding, presentsBinding } from './browser-binding';
import type { LinkTickets, PendingLink } from './link-tickets';

interface StateDocument {
  strategy: string;
  verifier: string;
  expiresAt: number;
  /** SHA-256 of the browser binding cookie's value. */
  binding: string;
  /** The allow-listed front-end URL the login ends at, or null for a JSON answer. */
  redirectTo: string | null;
  /** The user a link attempt links the identity to; null for a login. */
  link: PendingLink | null;
}

/** What the strategy's `verify` needs of a consumed attempt. */
export interface AttemptEnd {
  readonly redirectTo: string | null;
  readonly link: PendingLink | null;
}

/** A consumed attempt: what the callback needs. */
export interface LoginAttempt extends AttemptEnd {
  readonly verifier: string;
}

const UNKNOWN_STATE = 'Invalid or expired OAuth state: start the login again.';
const OTHER_BROWSER = 'This login was started in another browser: start the login again.';
const UNKNOWN_LINK = 'Invalid, used or expired link URL: ask for a new one.';

type StoreCallback = (error: unknown, handle?: string) => void;
type VerifyCallback = (error: unknown, ok?: string | false, info?: { message: string }) => void;

/** The shape passport-oauth2 expects of `options.store` with `pkce: true` (it dispatches on the arity). */
export interface PassportStateStore {
  store(req: unknown, verifier: string, state: unknown, meta: unknown, callback: StoreCallback): void;
  verify(req: unknown, providedState: unknown, callback: VerifyCallback): void;
}

/** One strategy's store, which also tells the strategy's `verify` how the consumed attempt ends. */
export interface StrategyStateStore extends PassportStateStore {
  endOf(request: ApiRequest): AttemptEnd;
}

export class StateStore {
  private constructor(
    private readonly states: DocumentCollection<StateDocument>,
    private readonly now: () => number,
  ) {}

  static async open(storage: StorageNamespace, now: () => number): Promise<StateStore> {
    return new StateStore(
      await storage.collection<StateDocument>('login-states', { indexed: ['expiresAt'] }),
      now,
    );
  }

  /** Saves a new attempt and returns its state handle. Expired attempts are purged on the way. */
  async create(attempt: Omit<StateDocument, 'expiresAt'>, ttlMs: number): Promise<string> {
    const now = this.now();
    await this.states.deleteByQuery({ query: { range: { expiresAt: { lt: now } } } });
    const handle = randomBytes(24).toString('base64url');
    await this.states.create({ ...attempt, expiresAt: now + ttlMs }, handle);
    return handle;
  }

  /**
   * Consumes the state: the attempt, or why it is refused (unknown, already used, expired, another strategy's,
   * or presented by a browser that did not start it).
   */
  async consume(
    strategy: string,
    handle: unknown,
    cookieHeader: string | undefined,
  ): Promise<LoginAttempt | { refused: string }> {
    if (typeof handle !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(handle))
      return { refused: UNKNOWN_STATE };
    const found = await this.states.get(handle);
    if (found === null || !(await this.states.delete(handle))) return { refused: UNKNOWN_STATE };
    const { strategy: owner, verifier, expiresAt, binding, redirectTo, link } = found._source;
    if (owner !== strategy || expiresAt < this.now()) return { refused: UNKNOWN_STATE };
    if (!presentsBinding(cookieHeader, strategy, binding)) return { refused: OTHER_BROWSER };
    return { verifier, redirectTo, link: link ?? null };
  }

  /**
   * The store one strategy hands to passport-oauth2, wrapping the promises in its callbacks. `store` runs when
   * a login starts (over HTTP: the strategy sends other starts there first), consumes the start's `link`
   * ticket if it has one, and sets the binding cookie.
   */
  forStrategy(
    strategy: string,
    callbackURL: string,
    ttlMs: number,
    tickets: LinkTickets,
  ): StrategyStateStore {
    const ends = new WeakMap<ApiRequest, AttemptEnd>();
    const start = async (query: PassportRequest['query'], verifier: string) => {
      const link = query.link === undefined ? null : await tickets.consume(strategy, query.link);
      if (query.link !== undefined && link === null)
        throw tesseraError('plugin.strategy.missing_user', UNKNOWN_LINK);
      const binding = createBinding(strategy, callbackURL, ttlMs);
      const redirectTo = typeof query.redirectTo === 'string' ? query.redirectTo : null;
      const handle = await this.create(
        { strategy, verifier, binding: binding.hash, redirectTo, link },
        ttlMs,
      );
      return { handle, cookie: binding.cookie };
    };
    return {
      store: (req, verifier, _state, _meta, callback) => {
        const { original, query } = req as PassportRequest;
        start(query, verifier).then(
          ({ handle, cookie }) => {
            original.headers['set-cookie'] = cookie;
            callback(null, handle);
          },
          (error: unknown) => callback(error),
        );
      },
      verify: (req, providedState, callback) => {
        const { original, headers } = req as PassportRequest;
        this.consume(strategy, providedState, headers.cookie).then(
          (attempt) => {
            if ('refused' in attempt) return callback(null, false, { message: attempt.refused });
            ends.set(original, { redirectTo: attempt.redirectTo, link: attempt.link });
            callback(null, attempt.verifier);
          },
          (error: unknown) => callback(error),
        );
      },
      endOf: (request) => ends.get(request) ?? { redirectTo: null, link: null },
    };
  }
}
