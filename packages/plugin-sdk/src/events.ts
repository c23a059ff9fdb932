/**
 * The event bus as plugins see it. Hooks listen (fire and forget, a failing hook is logged and isolated);
 * pipes transform (awaited in order, each may change the payload or reject it). Names are `domain:entity[:verb]`
 * and a `*` segment matches one segment (`auth:*`), `**` any number (`security:**`).
 */
import type { ApiRequest, ConnectionInfo } from './request';

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

/** Event name -> payload, for the events the kernel emits. Pipes on these get and return the same type. */
export interface KernelEvents {
  'token:created': TokenEvent;
  'token:refreshed': TokenEvent & { previousSessionId: string };
  'token:revoked': TokenEvent & { reason: RevocationReason };
  'auth:login': { kuid: string; strategy: string; sessionId: string } & Origin;
  'auth:loginFailed': { strategy: string; reason: string } & Origin;
  'auth:logout': { kuid: string; sessionId: string; global: boolean } & Origin;
  'user:created': { kuid: string; author: string };
  'user:deleted': { kuid: string; author: string };
  'credentials:created': { kuid: string; strategy: string; author: string };
  /**
   * A pipeline, awaited by whoever changed the credentials: the kernel's own pipe revokes the user's tokens
   * (`security.revokeTokensOnCredentialsChange`), all but `keepSessionId`, the session that made the change.
   */
  'credentials:updated': { kuid: string; strategy: string; author: string; keepSessionId?: string };
  'credentials:deleted': { kuid: string; strategy: string; author: string };
  'request:beforeExecution': ApiRequest;
  'request:onSuccess': ApiRequest;
  'request:onError': ApiRequest;
  'request:afterExecution': ApiRequest;
  'connection:new': ConnectionInfo;
  'connection:remove': ConnectionInfo;
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
