/**
 * TokenLifecycle: tells realtime connections when the token they are linked to stops being valid.
 *
 * At a linked token's expiry, or when it is revoked (`token:revoked`), each of its connections is sent Kuzzle's
 * `TokenExpired` frame (plus `reason`), then loses its subscriptions and its link; the socket stays open, as in
 * Kuzzle. `security.jwt.expiryWarning` ms before the expiry, its connections are sent `TokenExpiring`, so a
 * client can refresh in band: the refresh links the connection to the new token, and the old one's end no longer
 * concerns it. Frames go through the `realtime:beforeServerNotification` pipeline first.
 *
 * Deadlines are kept per token (session), not per connection: every connection is reached from its token's one
 * deadline, so none is notified twice. A token no connection is linked to any more has no deadline.
 */
import type { EventBus, KernelEvents, Logger, Unsubscribe } from '@tessera/plugin-sdk';
import type { AuthToken } from '../security/tokens';
import type { ClientConnections } from './client-connections';
import { createExpiryScheduler, type ExpiryScheduler, type ScheduledTask } from './expiry-scheduler';
import type { LinkedToken, TokenLinks } from './token-links';

type ServerNotification = NonNullable<KernelEvents['realtime:beforeServerNotification']['notification']>;

export interface TokenLifecycleOptions {
  links: TokenLinks;
  /** One over `now` by default. */
  scheduler?: ExpiryScheduler;
  connections: ClientConnections;
  bus: EventBus;
  /** Where `token:revoked` is heard: every node's revocations in a cluster; `bus` when absent. */
  revocations?: Pick<EventBus, 'hook'>;
  log: Logger;
  nodeId: string;
  /** Milliseconds before expiry `TokenExpiring` is sent; 0: never. */
  expiryWarning: number;
  /** Removes every subscription of the connection (the realtime hub's). */
  dropSubscriptions: (connectionId: string) => void;
  /** Epoch ms. */
  now?: () => number;
}

export interface TokenLifecycle {
  /**
   * Links the connection to `token` (what it authenticated with, or a token just issued or refreshed on it) and
   * watches the token's end. Anonymous (null) and single-use tokens are not linked; linking to the token the
   * connection already holds does nothing, so it is cheap on every request.
   */
  link(connectionId: string, token: AuthToken | null): void;
  /** Forgets the connection's link: its token's end no longer concerns it (a logout on that connection). */
  unlink(connectionId: string): void;
  /** Stops listening to the bus and cancels every deadline. */
  stop(): void;
}

const INFO = 'This is an automated server notification';
const ROOM = 'kuzzle:notification:server';
const NEVER = -1;

export function createTokenLifecycle(options: TokenLifecycleOptions): TokenLifecycle {
  const { links, connections, bus, log, nodeId, expiryWarning, dropSubscriptions } = options;
  const now = options.now ?? Date.now;
  const scheduler = options.scheduler ?? createExpiryScheduler({ now });
  /** The next deadline (warning, then expiry) of each linked token, by session id. */
  const deadlines = new Map<string, ScheduledTask>();

  const expiredFrame = (reason: 'expired' | 'revoked'): ServerNotification => ({
    status: 200,
    info: INFO,
    message: 'Authentication Token Expired',
    type: 'TokenExpired',
    node: nodeId,
    room: ROOM,
    reason,
  });

  const expiringFrame = (expiresAt: number): ServerNotification => ({
    status: 200,
    info: INFO,
    message: 'Authentication Token Expiring',
    type: 'TokenExpiring',
    expiresAt,
    node: nodeId,
    room: ROOM,
  });

  /** Sends the frame unless a pipe drops it. A fresh frame per connection: a pipe may alter it in place. */
  const push = async (connectionId: string, notification: ServerNotification): Promise<void> => {
    const piped = await bus.pipeline('realtime:beforeServerNotification', { connectionId, notification });
    if (piped.notification !== null) connections.send(connectionId, piped.notification);
  };

  const reportFailure = (connectionId: string) => (error: unknown) =>
    log.error('token notification failed', { connectionId, error });

  const cancelDeadline = (sessionId: string): void => {
    deadlines.get(sessionId)?.cancel();
    deadlines.delete(sessionId);
  };

  /** The token's end: every connection linked to it is told, then loses its subscriptions, whatever a pipe did. */
  const end = (sessionId: string, reason: 'expired' | 'revoked'): void => {
    cancelDeadline(sessionId);
    const ended = links.unlinkSession(sessionId);
    if (!ended) return;
    for (const connectionId of ended.connectionIds) {
      push(connectionId, expiredFrame(reason))
        .finally(() => dropSubscriptions(connectionId))
        .catch(reportFailure(connectionId));
    }
    if (reason === 'expired') bus.emit('token:expired', { ...ended.token });
  };

  const warn = (token: LinkedToken): void => {
    // A copy: a hook of the pipeline may unlink a connection while we go through them.
    for (const connectionId of [...links.connectionsOf(token.sessionId)]) {
      push(connectionId, expiringFrame(token.expiresAt)).catch(reportFailure(connectionId));
    }
    bus.emit('token:expiring', { ...token });
  };

  const watch = (token: LinkedToken): void => {
    const { sessionId, expiresAt } = token;
    if (expiresAt === NEVER) return;
    const expire = () => end(sessionId, 'expired');
    const warnAt = expiresAt - expiryWarning;
    const first =
      expiryWarning > 0 && warnAt > now()
        ? scheduler.schedule(warnAt, () => {
            deadlines.set(sessionId, scheduler.schedule(expiresAt, expire));
            warn(token);
          })
        : scheduler.schedule(expiresAt, expire);
    deadlines.set(sessionId, first);
  };

  /** A token left without connections stops being watched. */
  const release = (token: LinkedToken | undefined): void => {
    if (token && links.connectionsOf(token.sessionId).size === 0) cancelDeadline(token.sessionId);
  };

  const unlink = (connectionId: string): void => release(links.unlink(connectionId));

  const unsubscribe: Unsubscribe[] = [
    (options.revocations ?? bus).hook('token:revoked', ({ sessionId }) => end(sessionId, 'revoked')),
    bus.hook('connection:remove', ({ id }) => unlink(id)),
  ];

  return {
    link(connectionId, token) {
      const previous = links.tokenOf(connectionId);
      const linked = links.link(connectionId, token);
      if (!linked) return;
      release(previous);
      if (!deadlines.has(linked.sessionId)) watch(linked);
    },

    unlink,

    stop() {
      for (const stopListening of unsubscribe) stopListening();
      for (const deadline of deadlines.values()) deadline.cancel();
      deadlines.clear();
    },
  };
}
