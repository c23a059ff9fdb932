/**
 * TokenManager: issues, verifies, refreshes and revokes the kernel's tokens (`kauth-` auth tokens and
 * `kapikey-` API keys), in Kuzzle's shapes.
 *
 * Auth tokens are recorded in a TokenStore under their hash; API keys in the kernel's `api-keys` collection
 * under their fingerprint (Kuzzle's document). Neither store ever holds a token. A refreshed token stays valid
 * for the grace period; presented as a credential after it, it revokes every token of its refresh chain (reuse
 * detection); inspected (auth:checkToken), it is only reported invalid.
 * `token:*` events fire after the change committed and carry a session id, never a token.
 *
 * An auth token's signature is checked once per node, not on every request: its record is keyed by the hash
 * of the exact string this server issued, and records the generation of the key it was signed with (`keyId`).
 * A record this node already holds in its (coherent) cache, of the current generation, proves the token is
 * ours and unaltered; anything else (not cached, an older generation, no record) is verified in full, as the
 * first time. The reasoning is in docs/security.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken, type TokenRecord, type TokenStore, type TokenType } from '@tessera/cluster';
import {
  parseDuration,
  tesseraError,
  type DocumentCollection,
  type EventBus,
  type JsonObject,
  type Logger,
  type RevocationReason,
  type SearchOptions,
  type StorageNamespace,
  type StoredDocument,
  type TokenEvent,
} from '@tessera/plugin-sdk';
import { findAll } from '@tessera/store';
import type { JwtConfig } from '../../config';
import type { KuzzleInfo } from '../model';
import {
  NEVER,
  assertHmacAlgorithm,
  createJwtCodec,
  expiresAtFor,
  type JwtCodec,
  type TokenClaims,
} from './jwt-codec';
import { resolveJwtSecret } from './jwt-secret';

export const AUTH_TOKEN_PREFIX = 'kauth-';
export const API_KEY_PREFIX = 'kapikey-';

/** A verified or freshly issued token. */
export interface AuthToken {
  /** The full token, prefix included, as clients send it. */
  readonly jwt: string;
  readonly kuid: string;
  /** Names the token without revealing it. For an API key, the key's id. */
  readonly sessionId: string;
  readonly type: TokenType;
  /** Epoch ms, or -1: never expires. */
  readonly expiresAt: number;
  /** Milliseconds, or -1. */
  readonly ttl: number;
  readonly singleUse: boolean;
}

export type TokenManagerConfig = Pick<
  JwtConfig,
  'expiresIn' | 'maxTTL' | 'secret' | 'algorithm' | 'gracePeriod'
>;

export interface TokenManagerOptions {
  /** The kernel's namespace: the generated secret and the API keys live there. */
  namespace: StorageNamespace;
  /** Where auth tokens are recorded (the composition root's choice: the database, or Redis for a cluster). */
  store: TokenStore;
  config: TokenManagerConfig;
  /** Longest ttl of an API key created without `bypassMaxTTL` (`security.apiKey.maxTTL`); -1: no limit. */
  apiKeyMaxTTL?: number;
  bus: EventBus;
  log: Logger;
  /** Epoch ms; also the clock token expiry is checked against. */
  now?: () => number;
}

export interface IssueOptions {
  /** Milliseconds or an `ms`-style string; -1 never expires; absent, null, '' or 0 take the configured default. */
  expiresIn?: unknown;
  singleUse?: boolean;
  bypassMaxTTL?: boolean;
}

export interface Session {
  sessionId: string;
  createdAt: number;
  expiresAt: number;
  singleUse: boolean;
}

/** An API key as searches return it (Kuzzle's `api-keys` document, token-free). */
export interface ApiKey {
  _id: string;
  _source: { userId: string; description: string; expiresAt: number; ttl: number; fingerprint: string };
}

/** An API key just created: the only time its token is ever shown. */
export interface CreatedApiKey {
  _id: string;
  _source: ApiKey['_source'] & { token: string };
}

export interface CreateApiKeyOptions {
  description: unknown;
  /** As in IssueOptions, but the default is -1: API keys never expire unless asked to. */
  expiresIn?: unknown;
  /** The key's id; a uuid when absent. */
  id?: string;
  /** Who creates it (`_kuzzle_info.author`); the key's user when absent. */
  author?: string;
  bypassMaxTTL?: boolean;
}

type ApiKeySource = ApiKey['_source'] & { _kuzzle_info: KuzzleInfo };

const API_KEYS = 'api-keys';
const EXPIRES_IN_FORMS =
  'a duration (milliseconds, or a string such as "30m", "2h" or "1 hour"), or -1 for no expiry';

/**
 * Milliseconds of a client's `expiresIn`: -1 for never, a positive integer otherwise. Absent, null, '' and 0
 * (what clients send when they mean "the default") give `fallback`; anything else is `api.assert.invalid_argument`.
 */
export function parseExpiresIn(expiresIn: unknown, fallback: number): number {
  if (expiresIn === undefined || expiresIn === null || expiresIn === '' || expiresIn === 0) return fallback;
  const ttl = parseDuration(expiresIn);
  if (ttl !== undefined && (ttl === NEVER || (Number.isSafeInteger(ttl) && ttl > 0))) return ttl;
  throw tesseraError('api.assert.invalid_argument', 'expiresIn', EXPIRES_IN_FORMS);
}

export class TokenManager {
  private readonly store: TokenStore;
  private readonly now: () => number;
  private readonly defaultTtl: number;
  private codec: JwtCodec | null = null;

  constructor(private readonly options: TokenManagerOptions) {
    // Checked here rather than at the first login.
    assertHmacAlgorithm(options.config.algorithm);
    const defaultTtl = parseDuration(options.config.expiresIn);
    if (defaultTtl === undefined || defaultTtl <= 0) {
      throw new RangeError(`Not a positive duration: ${String(options.config.expiresIn)}`);
    }
    this.defaultTtl = defaultTtl;
    this.store = options.store;
    this.now = options.now ?? Date.now;
  }

  /** Loads (or generates and stores) the signing secret. Must resolve before any other method is called. */
  async init(): Promise<void> {
    const { namespace, config, log } = this.options;
    const secret = await resolveJwtSecret(namespace, config.secret, log);
    this.codec = createJwtCodec(secret, config.algorithm, this.now);
  }

  /** A new auth token for `kuid`, starting a refresh chain of its own. Emits `token:created`. */
  async issue(kuid: string, options: IssueOptions = {}): Promise<AuthToken> {
    if (typeof kuid !== 'string' || kuid === '') throw tesseraError('security.token.unknown_user');
    const ttl = this.authTokenTtl(options.expiresIn, options.bypassMaxTTL);
    const token = await this.createAuthToken(kuid, ttl, options.singleUse === true, randomUUID());
    this.options.bus.emit('token:created', tokenEvent(token));
    return token;
  }

  /**
   * The token `token` stands for. `security.token.invalid` when it is malformed, forged, revoked, an API key
   * that was deleted, a single-use token already used, or a refreshed token past the grace period;
   * `security.token.expired` when it expired.
   *
   * Verifying a token presented as a credential uses it: a single-use token is consumed, and a refreshed token
   * past the grace period revokes its whole chain (only a copy can still be using it). With `inspect`
   * (auth:checkToken) it only looks: nothing changes, whatever the answer.
   */
  async verify(token: string, options: { inspect?: boolean } = {}): Promise<AuthToken> {
    if (typeOf(token) === 'authToken') return this.verifyAuthToken(token, options.inspect === true);
    return this.verifyApiKey(token, this.jwt().verify(token.slice(API_KEY_PREFIX.length)));
  }

  /**
   * A new token in `token`'s chain; `token` stays valid for the grace period, and a second refresh of it is
   * `security.token.invalid`. Emits `token:refreshed`.
   */
  async refresh(token: AuthToken, options: Pick<IssueOptions, 'expiresIn'> = {}): Promise<AuthToken> {
    if (token.type === 'apiKey') throw tesseraError('security.token.refresh_forbidden', 'API Key');
    if (token.ttl === NEVER) {
      throw tesseraError('security.token.refresh_forbidden', 'Token with infinite TTL');
    }
    const ttl = this.authTokenTtl(options.expiresIn);
    const hash = hashToken(token.jwt);
    const previous = await this.store.get(hash);
    // Claimed before the new token exists: of two concurrent refreshes of one token, only one issues a token.
    if (previous === null || !(await this.store.markRefreshed(hash, this.now()))) {
      throw tesseraError('security.token.invalid');
    }
    const next = await this.createAuthToken(previous.kuid, ttl, false, previous.chainId);
    this.options.bus.emit('token:refreshed', { ...tokenEvent(next), previousSessionId: previous.sessionId });
    return next;
  }

  /**
   * Revokes an auth token; true when this call did. API keys outlive logouts: `deleteApiKey` removes them.
   * `author` (here and in the other revocations) is who asked, for `token:revoked`; null: the server.
   */
  async revoke(token: AuthToken, reason: RevocationReason, author: string | null = null): Promise<boolean> {
    if (token.type === 'apiKey' || !(await this.store.delete(hashToken(token.jwt)))) return false;
    this.emitRevoked(token, reason, author);
    return true;
  }

  /** Revokes every auth token of `kuid` but `exceptSessionId` (API keys stay); returns how many were live. */
  async revokeAll(
    kuid: string,
    reason: RevocationReason,
    options: { exceptSessionId?: string; author?: string | null } = {},
  ): Promise<number> {
    const { exceptSessionId, author = null } = options;
    return this.revokeRecords(await this.store.deleteByKuid(kuid, { exceptSessionId }), reason, author);
  }

  /** The live auth tokens of `kuid`, oldest first. */
  async sessions(kuid: string): Promise<Session[]> {
    return (await this.liveTokens(kuid))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ sessionId, createdAt, expiresAt, singleUse }) => ({
        sessionId,
        createdAt,
        expiresAt,
        singleUse,
      }));
  }

  /**
   * Revokes a live session of `kuid` together with its refresh chain (the token it was refreshed from is still
   * in its grace period); false when `kuid` has no such session.
   */
  async revokeSession(kuid: string, sessionId: string, author: string | null = null): Promise<boolean> {
    const session = (await this.liveTokens(kuid)).find((record) => record.sessionId === sessionId);
    if (session === undefined) return false;
    const deleted = await this.store.deleteChain(session.chainId);
    this.revokeRecords(deleted, 'session-revoked', author);
    return deleted.some((record) => record.hash === session.hash);
  }

  /** Deletes the records of expired auth tokens; returns how many. The kernel calls it periodically. */
  purgeExpired(): Promise<number> {
    return this.store.purgeExpired(this.now());
  }

  /** Creates an API key for `kuid`. Emits `token:created`. */
  async createApiKey(kuid: string, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
    const { description } = options;
    if (typeof description !== 'string' || description === '') {
      throw tesseraError('api.assert.missing_argument', 'body.description');
    }
    const ttl = this.ttl(options.expiresIn, NEVER, this.options.apiKeyMaxTTL ?? NEVER, options.bypassMaxTTL);
    const id = options.id ?? randomUUID();
    const createdAt = this.now();
    const expiresAt = expiresAtFor(createdAt, ttl);
    const token = API_KEY_PREFIX + this.jwt().sign({ _id: kuid, kid: id }, expiresAt);
    const summary = { userId: kuid, description, expiresAt, ttl, fingerprint: hashToken(token) };
    const author = options.author ?? kuid;
    const kuzzleInfo: KuzzleInfo = { author, creator: author, createdAt, updater: null, updatedAt: null };
    const keys = await this.apiKeys();
    await keys.create({ ...summary, _kuzzle_info: kuzzleInfo }, id);
    this.options.bus.emit('token:created', apiKeyEvent(id, summary));
    return { _id: id, _source: { ...summary, token } };
  }

  /**
   * The API keys of `kuid` matching `query`: as in Kuzzle, the whole request body is the query (Elasticsearch's
   * or, with `lang: 'koncorde'`, a Koncorde filter). It is ANDed with the user's id, so no query reaches another
   * user's keys; `total` counts every match.
   */
  async searchApiKeys(
    kuid: string,
    query: JsonObject = {},
    options: SearchOptions = {},
  ): Promise<{ hits: ApiKey[]; total: number }> {
    const restricted: JsonObject =
      options.lang === 'koncorde'
        ? { and: [query, { equals: { userId: kuid } }] }
        : { bool: { filter: [query, { term: { userId: kuid } }] } };
    const { hits, total } = await (await this.apiKeys()).search({ query: restricted }, options);
    return { hits: hits.map(toApiKey), total };
  }

  /** Deletes an API key of `kuid`, which revokes it; `services.storage.not_found` when `kuid` has no such key. */
  async deleteApiKey(kuid: string, id: string, author: string | null = null): Promise<void> {
    const keys = await this.apiKeys();
    const key = await keys.get(id);
    if (key === null || key._source.userId !== kuid || !(await keys.delete(id))) {
      throw tesseraError('services.storage.not_found', id, this.options.namespace.name, API_KEYS);
    }
    this.emitRevoked(apiKeyEvent(id, key._source), 'api-key-deleted', author);
  }

  /** Deletes every API key of `kuid` (the user is being deleted); returns how many. */
  async deleteApiKeys(
    kuid: string,
    reason: RevocationReason = 'user-deleted',
    author: string | null = null,
  ): Promise<number> {
    const keys = await this.apiKeys();
    const owned = await findAll(keys, { term: { userId: kuid } });
    const deleted = await Promise.all(owned.map((key) => keys.delete(key._id)));
    const revoked = owned.filter((_key, i) => deleted[i]);
    for (const key of revoked) this.emitRevoked(apiKeyEvent(key._id, key._source), reason, author);
    return revoked.length;
  }

  // -------------------------------------------------------------------------------------------------------

  private jwt(): JwtCodec {
    if (this.codec === null) throw new Error('TokenManager.init() must resolve before tokens are used');
    return this.codec;
  }

  private apiKeys(): Promise<DocumentCollection<ApiKeySource>> {
    return this.options.namespace.collection<ApiKeySource>(API_KEYS, {
      unique: ['fingerprint'],
      indexed: ['userId'],
    });
  }

  private authTokenTtl(expiresIn: unknown, bypassMaxTTL?: boolean): number {
    return this.ttl(expiresIn, this.defaultTtl, this.options.config.maxTTL, bypassMaxTTL);
  }

  private ttl(expiresIn: unknown, fallback: number, maxTTL: number, bypassMaxTTL = false): number {
    const ttl = parseExpiresIn(expiresIn, fallback);
    if (!bypassMaxTTL && maxTTL > NEVER && (ttl > maxTTL || ttl === NEVER)) {
      throw tesseraError('security.token.ttl_exceeded');
    }
    return ttl;
  }

  private async createAuthToken(
    kuid: string,
    ttl: number,
    singleUse: boolean,
    chainId: string,
  ): Promise<AuthToken> {
    const createdAt = this.now();
    const expiresAt = expiresAtFor(createdAt, ttl);
    // Carried in the payload as `sid`: 128 random bits name the token, and cannot rebuild it.
    const sessionId = randomBytes(16).toString('hex');
    const jwt = AUTH_TOKEN_PREFIX + this.jwt().sign({ _id: kuid, sid: sessionId }, expiresAt);
    const record: TokenRecord = {
      hash: hashToken(jwt),
      kuid,
      type: 'authToken',
      expiresAt,
      ttl,
      singleUse,
      createdAt,
      chainId,
      refreshedAt: null,
      sessionId,
      keyId: this.jwt().keyId,
    };
    await this.store.save(record);
    return toAuthToken(jwt, record);
  }

  private async verifyAuthToken(token: string, inspect: boolean): Promise<AuthToken> {
    const record = await this.authTokenRecord(token);
    if (this.hasExpired(record.expiresAt)) throw tesseraError('security.token.expired');
    if (this.refreshedBeyondGrace(record)) {
      if (inspect) throw tesseraError('security.token.invalid');
      // Only a copy of the token can still be using it: whoever holds it, the chain is compromised.
      this.options.log.warn('refreshed token reused after its grace period: refresh chain revoked', {
        kuid: record.kuid,
        sessionId: record.sessionId,
      });
      this.revokeRecords(await this.store.deleteChain(record.chainId), 'refresh-reuse', null);
      throw tesseraError('security.token.invalid');
    }
    if (record.singleUse && !inspect) {
      if (!(await this.store.delete(record.hash))) throw tesseraError('security.token.invalid');
      this.emitRevoked(record, 'single-use', null);
    }
    return toAuthToken(token, record);
  }

  /**
   * The record of an auth token this server issued, unaltered, with its current key; `security.token.invalid`
   * or `.expired` otherwise. A cached record of the current key generation is that proof by itself: only this
   * server writes records, each under the hash of the exact token it signed, and a revocation removes it from
   * every node's cache before it is acknowledged. Otherwise the signature decides first, so a token that is
   * not ours never costs a store read, and a token of a rotated-out key fails as it always did.
   */
  private async authTokenRecord(token: string): Promise<TokenRecord> {
    const hash = hashToken(token);
    const known = this.store.cached(hash);
    if (known !== undefined && known.keyId === this.jwt().keyId && known.type === 'authToken') return known;
    const claims = this.jwt().verify(token.slice(AUTH_TOKEN_PREFIX.length));
    const record = await this.store.get(hash);
    if (record === null || record.type !== 'authToken' || record.kuid !== claims._id) {
      throw tesseraError('security.token.invalid');
    }
    return record;
  }

  private async verifyApiKey(token: string, claims: TokenClaims): Promise<AuthToken> {
    const keys = await this.apiKeys();
    const [key] = await keys.find({ query: { term: { fingerprint: hashToken(token) } } }, { size: 1 });
    if (key === undefined || key._source.userId !== claims._id) throw tesseraError('security.token.invalid');
    if (this.hasExpired(key._source.expiresAt)) throw tesseraError('security.token.expired');
    const { userId, expiresAt, ttl } = key._source;
    return { jwt: token, kuid: userId, sessionId: key._id, type: 'apiKey', expiresAt, ttl, singleUse: false };
  }

  /** The JWT's own `exp` has whole-second precision; the record's expiry is exact. */
  private hasExpired(expiresAt: number): boolean {
    return expiresAt !== NEVER && expiresAt <= this.now();
  }

  private refreshedBeyondGrace(record: TokenRecord): boolean {
    return record.refreshedAt !== null && this.now() - record.refreshedAt > this.options.config.gracePeriod;
  }

  /** Not expired, and not refreshed longer ago than the grace period. */
  private isLive(record: TokenRecord): boolean {
    return !this.hasExpired(record.expiresAt) && !this.refreshedBeyondGrace(record);
  }

  private async liveTokens(kuid: string): Promise<TokenRecord[]> {
    const records = await this.store.listByKuid(kuid);
    return records.filter((record) => record.type === 'authToken' && this.isLive(record));
  }

  /** Emits `token:revoked` for the deleted records that were still usable; returns how many. */
  private revokeRecords(deleted: TokenRecord[], reason: RevocationReason, author: string | null): number {
    const live = deleted.filter((record) => this.isLive(record));
    for (const record of live) this.emitRevoked(record, reason, author);
    return live.length;
  }

  private emitRevoked(token: TokenEvent, reason: RevocationReason, author: string | null): void {
    this.options.bus.emit('token:revoked', { ...tokenEvent(token), reason, author });
  }
}

function typeOf(token: unknown): TokenType {
  if (typeof token === 'string') {
    if (token.startsWith(AUTH_TOKEN_PREFIX)) return 'authToken';
    if (token.startsWith(API_KEY_PREFIX)) return 'apiKey';
  }
  throw tesseraError('security.token.invalid');
}

/** Only these four fields: an event never carries a token, a hash or anything else a record holds. */
function tokenEvent({ kuid, sessionId, type, expiresAt }: TokenEvent): TokenEvent {
  return { kuid, sessionId, type, expiresAt };
}

function apiKeyEvent(id: string, key: { userId: string; expiresAt: number }): TokenEvent {
  return { kuid: key.userId, sessionId: id, type: 'apiKey', expiresAt: key.expiresAt };
}

function toAuthToken(jwt: string, record: TokenRecord): AuthToken {
  const { kuid, sessionId, type, expiresAt, ttl, singleUse } = record;
  return { jwt, kuid, sessionId, type, expiresAt, ttl, singleUse };
}

function toApiKey({ _id, _source }: StoredDocument<ApiKeySource>): ApiKey {
  const { userId, description, expiresAt, ttl, fingerprint } = _source;
  return { _id, _source: { userId, description, expiresAt, ttl, fingerprint } };
}
