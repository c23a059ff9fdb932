/**
 * The `state` of login attempts, kept in the plugin's storage instead of a session (the kernel has none).
 * passport-oauth2 calls `store` when it redirects to the provider and `verify` when the provider sends the
 * browser back. A state names the strategy that made it, carries the PKCE code verifier, expires after
 * `ttlMs`, and is deleted by the first `verify` that sees it: of two callbacks with one state, only the one
 * whose delete succeeds goes on.
 */
import { randomBytes } from 'node:crypto';
import type { DocumentCollection, StorageNamespace } from '@tessera/plugin-sdk';

interface StateDocument {
  strategy: string;
  verifier: string;
  expiresAt: number;
}

type StoreCallback = (error: unknown, handle?: string) => void;
type VerifyCallback = (error: unknown, ok?: string | false, info?: { message: string }) => void;

/** The shape passport-oauth2 expects of `options.store` with `pkce: true` (it dispatches on the arity). */
export interface PassportStateStore {
  store(req: unknown, verifier: string, state: unknown, meta: unknown, callback: StoreCallback): void;
  verify(req: unknown, providedState: unknown, callback: VerifyCallback): void;
}

export class StateStore {
  private constructor(
    private readonly states: DocumentCollection<StateDocument>,
    private readonly now: () => number,
  ) {}

  static async open(storage: StorageNamespace, now: () => number): Promise<StateStore> {
    return new StateStore(await storage.collection<StateDocument>('login-states'), now);
  }

  /** Saves a new attempt and returns its state handle. Expired attempts are purged on the way. */
  async create(strategy: string, verifier: string, ttlMs: number): Promise<string> {
    const now = this.now();
    await this.states.deleteByQuery({ query: { range: { expiresAt: { lt: now } } } });
    const handle = randomBytes(24).toString('base64url');
    await this.states.create({ strategy, verifier, expiresAt: now + ttlMs }, handle);
    return handle;
  }

  /** The attempt's code verifier, or null for an unknown, already used, expired or foreign state. */
  async consume(strategy: string, handle: unknown): Promise<string | null> {
    if (typeof handle !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(handle)) return null;
    const found = await this.states.get(handle);
    if (found === null || !(await this.states.delete(handle))) return null;
    const { strategy: owner, verifier, expiresAt } = found._source;
    return owner === strategy && expiresAt >= this.now() ? verifier : null;
  }

  /** The store one strategy hands to passport-oauth2, wrapping the promises in its callbacks. */
  forStrategy(strategy: string, ttlMs: number): PassportStateStore {
    return {
      store: (_req, verifier, _state, _meta, callback) => {
        this.create(strategy, verifier, ttlMs).then(
          (handle) => callback(null, handle),
          (error: unknown) => callback(error),
        );
      },
      verify: (_req, providedState, callback) => {
        this.consume(strategy, providedState).then(
          (verifier) =>
            verifier === null
              ? callback(null, false, { message: 'Invalid or expired OAuth state: start the login again.' })
              : callback(null, verifier),
          (error: unknown) => callback(error),
        );
      },
    };
  }
}
