/**
 * The event bus as plugins see it. Hooks listen (fire and forget, a failing hook is logged and isolated);
 * pipes transform (awaited in order, each may change the payload or reject it). Names are `domain:entity[:verb]`
 * and a `*` segment matches one segment (`auth:*`), `**` any number (`security:**`).
 */
import type { ApiRequest, ConnectionInfo, Protocol } from './request';
import type { JsonObject } from './storage';

/** A token's public identity: `sessionId` names it without revealing it. No event ever carries a token. */
export interface TokenEvent {
  kuid: string;
  sessionId: string;
  type: 'authToken' | 'apiKey';
  /** Epoch ms, or -1 for a token that never expires. */
  expiresAt: number;
}

export type RevocationReason =
  | 'logout'
  | 'global-logout'
  | 'revoke-tokens'
  | 'user-deleted'
  | 'password-changed'
  | 'refresh-reuse'
  | 'session-revoked'
  | 'api-key-deleted'
  | 'single-use';

/** Who did it, from where. */
export interface Origin {
  connectionId?: string;
  ip?: string;
}

/**
 * A frame the server pushes on its own to one realtime connection, in Kuzzle's `kuzzle:notification:server`
 * room: `TokenExpired` (`reason` says whether the token reached its end or was revoked) and `TokenExpiring`.
 */
export interface ServerNotification {
  status: number;
  info: string;
  message: string;
  type: 'TokenExpired' | 'TokenExpiring';
  /** `TokenExpiring` only: epoch ms. */
  expiresAt?: number;
  node: string;
  room: string;
  /** `TokenExpired` only. */
  reason?: 'expired' | 'revoked';
}

/**
 * Kuzzle's document notification, as a realtime subscriber receives it (the transport adds `room`, the channel).
 * `requestId`, `volatile` and `protocol` are the triggering request's; the server's own publications (the
 * `%auth` events) have no request: `requestId` and `volatile` are null and `protocol` is `internal`.
 */
export interface DocumentNotification {
  type: 'document';
  status: 200;
  action: 'create' | 'replace' | 'update' | 'delete' | 'publish';
  event: 'write' | 'delete' | 'publish';
  /** `in`: the document matches the subscription; `out`: it stopped matching. */
  scope: 'in' | 'out';
  result: { _id?: string; _source: JsonObject };
  requestId: string | null;
  timestamp: number;
  volatile: JsonObject | null;
  index: string;
  collection: string;
  controller: string;
  protocol: Protocol;
  node: string;
}

/** Kuzzle's user notification: a subscriber entered or left a room; `volatile` is that subscriber's. */
export interface UserNotification {
  type: 'user';
  status: 200;
  user: 'in' | 'out';
  /** How many connections the room holds now. */
  result: { count: number };
  timestamp: number;
  volatile: JsonObject | null;
  index: string;
  collection: string;
  controller: 'realtime';
  action: 'subscribe' | 'unsubscribe';
  protocol: Protocol;
  node: string;
}

export type RealtimeNotification = DocumentNotification | UserNotification;

/** Event name -> payload, for the events the kernel emits. Pipes on these get and return the same type. */
export interface KernelEvents {
  'token:created': TokenEvent;
  'token:refreshed': TokenEvent & { previousSessionId: string };
  /**
   * `author`: who revoked it, the user themself (a logout), an administrator, whoever changed the password; null
   * when the server did on its own (a refreshed token reused, a single-use token spent).
   */
  'token:revoked': TokenEvent & { reason: RevocationReason; author: string | null };
  /** `security.jwt.expiryWarning` ms before a token linked to a realtime connection expires. */
  'token:expiring': TokenEvent;
  /** When a token linked to a realtime connection reaches its expiry. */
  'token:expired': TokenEvent;
  'auth:login': { kuid: string; strategy: string; sessionId: string } & Origin;
  'auth:loginFailed': { strategy: string; reason: string } & Origin;
  'auth:logout': { kuid: string; sessionId: string; global: boolean } & Origin;
  /**
   * A pipeline `auth:login` runs once a strategy has authenticated an existing user, before the token is issued.
   * A pipe that throws refuses the login with its error (a second factor, an account rule), counted as a failed
   * login, and no token is issued; what a pipe changes in the payload is ignored. `request` is the login request,
   * body included, as the request events carry it: a password may be in it.
   */
  'auth:strategyAuthenticated': {
    readonly strategy: string;
    readonly kuid: string;
    readonly request: ApiRequest;
  };
  'user:created': { kuid: string; author: string };
  /** A user's document changed (update, replace, createOrReplace, a profile taken away). */
  'user:updated': { kuid: string; author: string | null };
  'user:deleted': { kuid: string; author: string };
  /** Profiles and roles, after the write committed and every node forgot the old version. `author` null: the server. */
  'profile:created': { profileId: string; author: string | null };
  'profile:updated': { profileId: string; author: string | null };
  'profile:deleted': { profileId: string; author: string | null };
  'role:created': { roleId: string; author: string | null };
  'role:updated': { roleId: string; author: string | null };
  'role:deleted': { roleId: string; author: string | null };
  'credentials:created': { kuid: string; strategy: string; author: string };
  /**
   * A pipeline, awaited by whoever changed the credentials: when `secretChanged` (a password, not a username),
   * the kernel's own pipe revokes the user's tokens (`security.revokeTokensOnCredentialsChange`), all but
   * `keepSessionId`, the session that made the change. Whoever changes credentials says whether a secret
   * changed; a payload without `secretChanged` counts as a secret change.
   */
  'credentials:updated': {
    kuid: string;
    strategy: string;
    author: string;
    secretChanged: boolean;
    keepSessionId?: string;
  };
  'credentials:deleted': { kuid: string; strategy: string; author: string };
  'request:beforeExecution': ApiRequest;
  'request:onSuccess': ApiRequest;
  'request:onError': ApiRequest;
  'request:afterExecution': ApiRequest;
  /**
   * A pipeline run before a server notification is pushed to one connection: a pipe may change `notification`,
   * or set it to null to drop it (a pipe that throws drops it too, and is logged). Whatever a pipe does, a
   * `TokenExpired` connection still loses its token link and its subscriptions.
   */
  'realtime:beforeServerNotification': { connectionId: string; notification: ServerNotification | null };
  /**
   * A pipeline run once per subscription notification before it is pushed, with the channels it goes to: a pipe
   * may change `notification`, or set it to null to drop it (a pipe that throws drops it too, and is logged).
   * `channels` is for reading; delivery rules (scope, users, the `%auth` audience) apply after the pipes.
   */
  'realtime:beforeNotify': {
    notification: RealtimeNotification | null;
    readonly channels: readonly string[];
  };
  'connection:new': ConnectionInfo;
  'connection:remove': ConnectionInfo;
  /** A plugin's `setup` resolved; `setupMs` is how long it took (what a slow boot is searched for first). */
  'plugin:ready': { plugin: string; version: string; setupMs: number };
  'kernel:ready': { port: number };
  'kernel:shutdown': { reason: string };
}

/** `<controller>:before<Action>` and `<controller>:after<Action>` carry the request too. */
export type ActionEventName = `${string}:before${string}` | `${string}:after${string}`;

export type Unsubscribe = () => void;

export type HookListener<P> = (payload: P, event: string) => void | Promise<void>;
export type PipeHandler<P> = (payload: P, event: string) => P | Promise<P>;

export type PayloadOf<E extends string> = E extends keyof KernelEvents
  ? KernelEvents[E]
  : E extends ActionEventName
    ? ApiRequest
    : unknown;

export interface EventBus {
  hook<E extends string>(event: E, listener: HookListener<PayloadOf<E>>): Unsubscribe;
  pipe<E extends string>(event: E, handler: PipeHandler<PayloadOf<E>>): Unsubscribe;
  /** Fires the hooks of `event` and returns at once; listener failures are logged, never thrown. */
  emit<E extends string>(event: E, payload: PayloadOf<E>): void;
  /** Runs the pipes of `event` in registration order, then fires its hooks with the final payload. */
  pipeline<E extends string>(event: E, payload: PayloadOf<E>): Promise<PayloadOf<E>>;
}
