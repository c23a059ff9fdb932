/**
 * The TokenStore port: where a node finds the record of an auth token it is shown.
 *
 * A store keeps one record per issued auth token, keyed by the sha256 of the token: never the token itself, so
 * a leaked store yields no usable token. Every write is true on every node once its promise resolves: an
 * implementation with a node-local cache keeps it coherent through the ClusterBus (see CoherentCache).
 */
import { hash } from 'node:crypto';

export type TokenType = 'authToken' | 'apiKey';

export interface TokenRecord {
  /** `hashToken(token)`: the record's id. */
  readonly hash: string;
  readonly kuid: string;
  readonly type: TokenType;
  /** Epoch ms, or -1: never expires. */
  readonly expiresAt: number;
  /** Milliseconds, or -1. */
  readonly ttl: number;
  readonly singleUse: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Shared by a token and every token refreshed from it, so reuse of an old one can revoke them all. */
  readonly chainId: string;
  /** Epoch ms at which this token was refreshed; null while it was not. */
  readonly refreshedAt: number | null;
  /** Names the token without revealing it (events, session lists). */
  readonly sessionId: string;
  /**
   * The generation of the signing key the token was signed with: a one-way fingerprint of the secret and the
   * algorithm, never the secret. A record whose keyId is the current generation's proves that this server
   * signed this exact token with its current key, so its signature need not be checked again. Absent on
   * records written before keyIds existed: their tokens are always verified in full.
   */
  readonly keyId?: string;
}

export interface TokenStore {
  /** Creates or replaces the record `record.hash`. */
  save(record: TokenRecord): Promise<void>;
  get(hash: string): Promise<TokenRecord | null>;
  /**
   * The record as this node's cache holds it, without reading the store (and now the most recently used);
   * undefined when it is not cached. Exactly as true as `get`: a record revoked on any node is never returned
   * once the revocation resolved. A store without a node-local cache always answers undefined.
   */
  cached(hash: string): TokenRecord | undefined;
  /** True when this call deleted the record: of concurrent deletes of one record, exactly one gets true. */
  delete(hash: string): Promise<boolean>;
  /**
   * Sets `refreshedAt`. True when this call did; false when the record is missing or was refreshed already,
   * so of concurrent refreshes of one token, on any number of nodes, at most one succeeds.
   */
  markRefreshed(hash: string, at: number): Promise<boolean>;
  listByKuid(kuid: string): Promise<TokenRecord[]>;
  /** Deletes the user's auth tokens (never API keys), but `exceptSessionId`; returns what this call deleted. */
  deleteByKuid(kuid: string, options?: { exceptSessionId?: string }): Promise<TokenRecord[]>;
  /** Deletes every record of the chain; returns what this call deleted. */
  deleteChain(chainId: string): Promise<TokenRecord[]>;
  /** Deletes the records expired at `now`; returns how many (a store that expires records itself says 0). */
  purgeExpired(now: number): Promise<number>;
}

/**
 * The id of a token's record: sha256 hex of the full token, prefix included. Computed on every request: the
 * one-shot `hash` costs about half of a `createHash` object's update and digest.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The name token-record caches share on every node, whatever the store. */
export const TOKEN_CACHE = 'tokens';
