/**
 * The request every transport builds and every pipe receives: Kuzzle's request envelope, normalised.
 */
import type { TesseraError } from './errors/tessera-error';
import type { JsonObject } from './storage';

export type Protocol = 'http' | 'websocket' | 'internal';

export interface ConnectionInfo {
  /** Unique per connection; an HTTP request is its own connection. */
  readonly id: string;
  readonly protocol: Protocol;
  /**
   * The client's address: the TCP peer's, or, when the peer is a trusted proxy (`server.trustedProxies`), the
   * address the proxies forwarded. What anything keyed by client (the login throttle, events' `ip`) uses. Null for
   * the kernel's own requests.
   */
  readonly address: string | null;
  /** The addresses the request came through, nearest first: the peer, then each trusted hop; `address` is last. */
  readonly ips: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

export interface RequestInput {
  readonly controller: string;
  readonly action: string;
  /** Auth token (`kauth-…` or `kapikey-…`); null means anonymous. */
  readonly jwt: string | null;
  body: JsonObject | null;
  /** Every other envelope key (route placeholders and query string too over HTTP), `null` values dropped. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly volatile: JsonObject | null;
}

export interface RequestUser {
  readonly _id: string;
  readonly profileIds: readonly string[];
}

export interface ApiRequest {
  /** The request id: the client's `requestId`, or a generated uuid. */
  readonly id: string;
  readonly input: RequestInput;
  readonly connection: ConnectionInfo;
  /** Set by the funnel once the token is resolved (the anonymous user when there is none). */
  user: RequestUser | null;
  /** Set by the action, possibly changed by `<controller>:after<Action>` pipes. */
  result: unknown;
  error: TesseraError | null;
  status: number;
  /** Response headers the action sets explicitly (lower-case names). */
  readonly headers: Record<string, string>;
}
