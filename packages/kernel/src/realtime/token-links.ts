/**
 * TokenLinks: which token each realtime connection is authenticated with (Kuzzle 2.15+'s token <-> connection
 * link), and which connections each token (by session id) reaches. A connection holds at most one link; a new
 * link replaces the old one. Only what notifications need is kept, never the token itself.
 */
import type { TokenEvent } from '@tessera/plugin-sdk';
import { ANONYMOUS_KUID } from '../security/model';
import type { AuthToken } from '../security/tokens';

/** A token's public identity (kuid, session id, type, expiresAt): all its notifications and events need. */
export type LinkedToken = Readonly<TokenEvent>;

export interface TokenLinks {
  /**
   * Links `connectionId` to `token`, replacing its previous link. Returns the token now linked, or undefined
   * when nothing changed: already linked to that token, anonymous (null), or single-use (consumed by the very
   * request that used it, so there is nothing left to watch).
   */
  link(connectionId: string, token: AuthToken | null): LinkedToken | undefined;
  /** Removes the connection's link; returns the token it was linked to. */
  unlink(connectionId: string): LinkedToken | undefined;
  /** Removes every link to the session's token; returns that token and the connections that were linked. */
  unlinkSession(sessionId: string): { token: LinkedToken; connectionIds: string[] } | undefined;
  tokenOf(connectionId: string): LinkedToken | undefined;
  /** The connections linked to the session's token (a live view: copy it before unlinking while iterating). */
  connectionsOf(sessionId: string): ReadonlySet<string>;
  /** How many connections are linked. */
  readonly size: number;
}

interface Session {
  readonly token: LinkedToken;
  readonly connections: Set<string>;
}

const NONE: ReadonlySet<string> = new Set();

export function createTokenLinks(): TokenLinks {
  const byConnection = new Map<string, Session>();
  const bySession = new Map<string, Session>();

  const unlink = (connectionId: string): LinkedToken | undefined => {
    const session = byConnection.get(connectionId);
    if (!session) return undefined;
    byConnection.delete(connectionId);
    session.connections.delete(connectionId);
    if (session.connections.size === 0) bySession.delete(session.token.sessionId);
    return session.token;
  };

  return {
    link(connectionId, token) {
      if (token === null || token.kuid === ANONYMOUS_KUID || token.singleUse) return undefined;
      if (byConnection.get(connectionId)?.token.sessionId === token.sessionId) return undefined;
      unlink(connectionId);
      let session = bySession.get(token.sessionId);
      if (!session) {
        const { kuid, sessionId, type, expiresAt } = token;
        session = { token: { kuid, sessionId, type, expiresAt }, connections: new Set() };
        bySession.set(sessionId, session);
      }
      session.connections.add(connectionId);
      byConnection.set(connectionId, session);
      return session.token;
    },

    unlink,

    unlinkSession(sessionId) {
      const session = bySession.get(sessionId);
      if (!session) return undefined;
      bySession.delete(sessionId);
      for (const connectionId of session.connections) byConnection.delete(connectionId);
      return { token: session.token, connectionIds: [...session.connections] };
    },

    tokenOf: (connectionId) => byConnection.get(connectionId)?.token,

    connectionsOf: (sessionId) => bySession.get(sessionId)?.connections ?? NONE,

    get size() {
      return byConnection.size;
    },
  };
}
