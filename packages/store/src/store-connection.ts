/**
 * StoreConnection: the life of a networked adapter's one handle on its database (a pool, a client), which the
 * PostgreSQL and MongoDB adapters share. `open` builds the handle and prepares it once, and refuses to start with
 * `services.storage.cannot_connect`, naming the engine and the (masked) location, when that fails, disposing of
 * what it built; `close` disposes of it; `handle()` is the guard every call goes through, answering
 * `services.storage.not_connected` (503) while the store is not open. How a handle is built, checked and closed
 * stays the adapter's business: the three functions it gives.
 */
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';

export interface StoreConnectionOptions<Handle> {
  /** The engine as an operator names it, for messages: `PostgreSQL`, `MongoDB`. */
  readonly engine: string;
  /** Where the database is, with any password masked: the only form of the URL a message may show. */
  readonly location: string;
  /** Builds the handle without waiting on the network (a pool, a client); may throw on bad settings. */
  create(): Handle;
  /** Reaches the database through the new handle and gets it ready (a ping, the schema); rejects if it cannot. */
  prepare(handle: Handle): Promise<void>;
  /** Releases the handle: its connections close. */
  dispose(handle: Handle): Promise<void>;
}

export class StoreConnection<Handle> {
  private current: Handle | null = null;

  constructor(private readonly options: StoreConnectionOptions<Handle>) {}

  /** Opens once (a second call does nothing); rejects, naming the engine and the location, when it cannot. */
  async open(): Promise<void> {
    if (this.current !== null) return;
    let handle: Handle;
    try {
      handle = this.options.create();
    } catch (error) {
      throw this.cannotConnect(error);
    }
    try {
      await this.options.prepare(handle);
    } catch (error) {
      await this.options.dispose(handle).catch(() => undefined);
      throw this.cannotConnect(error);
    }
    this.current = handle;
  }

  /** Closes what is open; the store answers not_connected afterwards. */
  async close(): Promise<void> {
    const handle = this.current;
    this.current = null;
    if (handle !== null) await this.options.dispose(handle);
  }

  /** The open handle; `services.storage.not_connected` while there is none. */
  handle(): Handle {
    if (this.current === null) {
      throw new TesseraError('services.storage.not_connected', [], {
        cause: new Error(`the ${this.options.engine} store ${this.options.location} is not open`),
      });
    }
    return this.current;
  }

  /**
   * A failure to open: a catalog error that says why on its own (a schema newer than this node) goes as it is;
   * anything else is the database out of reach.
   */
  private cannotConnect(error: unknown): TesseraError {
    if (isTesseraError(error) && error.id !== 'services.storage.not_connected') return error;
    const { engine, location } = this.options;
    return new TesseraError('services.storage.cannot_connect', [engine, location, messageOf(error)], {
      cause: error,
    });
  }
}

/** The error's message; a network error may carry only a code (ECONNREFUSED), which then stands for it. */
function messageOf(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  if (error instanceof Error && 'code' in error) return String(error.code);
  return String(error);
}
