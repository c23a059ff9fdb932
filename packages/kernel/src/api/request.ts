/**
 * Request: one API call on its way through the funnel, whatever transport brought it, and the Kuzzle
 * response envelope it turns into.
 */
import type { ApiRequest, ConnectionInfo, JsonObject, RequestInput, RequestUser } from '@tessera/plugin-sdk';
import { TesseraError, isTesseraError, type SerializedError } from '@tessera/plugin-sdk';
import type { AuthToken } from '../security/tokens';

export interface ResponseEnvelope {
  requestId: string;
  status: number;
  error: SerializedError | null;
  controller: string | null;
  action: string | null;
  index: string | null;
  collection: string | null;
  volatile: JsonObject | null;
  result: unknown;
  node: string;
  headers?: Record<string, string>;
}

export class Request implements ApiRequest {
  user: RequestUser | null = null;
  /** The verified token the request came with; null for anonymous requests. Not part of the plugins' ApiRequest. */
  token: AuthToken | null = null;
  result: unknown = null;
  error: TesseraError | null = null;
  status = 200;
  readonly headers: Record<string, string> = {};
  /** Over HTTP, a successful answer is the result itself rather than the envelope (Kuzzle's raw responses). */
  raw = false;
  /**
   * When the funnel began running it (`performance.now()`, past the concurrency gate); null for a request refused
   * before (an invalid envelope). What request timings measure from, without a hook of their own per request.
   */
  startedAt: number | null = null;

  constructor(
    readonly id: string,
    readonly input: RequestInput,
    readonly connection: ConnectionInfo,
  ) {}

  setResult(result: unknown, status = 200): void {
    this.result = result;
    this.status = status;
    this.error = null;
  }

  /** Anything that is not a TesseraError is an internal fault: its details stay in the logs, not on the wire. */
  setError(error: unknown): void {
    const known = isTesseraError(error)
      ? error
      : new TesseraError('core.runtime.unexpected_error', [this.id], { cause: error });
    this.error = known;
    this.status = known.status;
    this.result = null;
  }

  response(node: string): ResponseEnvelope {
    const args = this.input.args;
    const envelope: ResponseEnvelope = {
      requestId: this.id,
      status: this.status,
      error: this.error ? this.error.toJSON() : null,
      controller: this.input.controller || null,
      action: this.input.action || null,
      index: typeof args.index === 'string' ? args.index : null,
      collection: typeof args.collection === 'string' ? args.collection : null,
      volatile: this.input.volatile,
      result: this.result,
      node,
    };
    // The body never repeats a cookie: a script reading the response must not see an HttpOnly token.
    for (const name in this.headers) {
      if (name !== 'set-cookie') (envelope.headers ??= {})[name] = this.headers[name]!;
    }
    return envelope;
  }
}
