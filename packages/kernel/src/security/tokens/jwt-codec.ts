/**
 * The JWT layer of Tessera's tokens: signing with the kernel's secret, verifying with the algorithm pinned,
 * and payloads the kuzzle-sdk can read. Knows nothing of records, users or storage.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { JsonWebTokenError, TokenExpiredError, sign, verify } from 'jsonwebtoken';
import { TesseraError, tesseraError } from '@tessera/plugin-sdk';
import type { JwtAlgorithm } from '../../config';

/** A ttl or an expiry date that means "never". */
export const NEVER = -1;

// Asymmetric algorithms need a private key to sign and a public key to verify, which the configuration
// (one `secret`) cannot carry yet: until it can, only HMAC algorithms are accepted.
const HMAC_ALGORITHMS: ReadonlySet<JwtAlgorithm> = new Set(['HS256', 'HS384', 'HS512']);

/** The claims every Tessera token carries; the rest (`sid`, `kid`, `iat`, `exp`) is the codec's business. */
export interface TokenClaims {
  readonly _id: string;
}

export interface JwtCodec {
  /**
   * The generation of the key this codec signs with (see `keyIdOf`): equal for two codecs exactly when they
   * sign alike. Not a secret.
   */
  readonly keyId: string;
  /** A JWT holding `claims`, `iat` and, unless `expiresAt` is NEVER, `exp` = expiresAt in seconds. */
  sign(claims: Readonly<Record<string, string>>, expiresAt: number): string;
  /** The claims of a JWT signed by `sign`; `security.token.invalid`, `.expired` or `.verification_error` otherwise. */
  verify(jwt: string): TokenClaims;
}

/** `algorithm` when it is an HMAC one; `core.config.invalid_value` otherwise. */
export function assertHmacAlgorithm(algorithm: JwtAlgorithm): JwtAlgorithm {
  if (!HMAC_ALGORITHMS.has(algorithm)) {
    throw tesseraError(
      'core.config.invalid_value',
      'security.jwt.algorithm',
      `${algorithm} needs a key pair, which cannot be configured yet: use HS256, HS384 or HS512`,
    );
  }
  return algorithm;
}

/**
 * When a token living `ttl` ms from `now` expires: NEVER, or that very millisecond. A JWT's `exp` counts whole
 * seconds, so it is rounded up (never earlier than asked); the server's record, checked on every verification,
 * holds the exact instant, which is also when realtime clients hear `TokenExpired`.
 */
export function expiresAtFor(now: number, ttl: number): number {
  return ttl === NEVER ? NEVER : now + ttl;
}

/**
 * The generation of a signing key: 128 bits of HMAC-SHA256 under the secret, of a fixed label naming the
 * algorithm. One-way (it reveals the secret no more than any token's signature does: both are HMACs under it
 * of a known message), and it changes with the secret or the algorithm, so a rotation starts a new generation.
 */
export function keyIdOf(secret: string, algorithm: JwtAlgorithm): string {
  return createHmac('sha256', secret)
    .update(`tessera-jwt-key-id:${algorithm}`)
    .digest('base64url')
    .slice(0, 22);
}

/** A codec signing with `secret`; `now` is also the clock expiry is checked against. */
export function createJwtCodec(secret: string, algorithm: JwtAlgorithm, now: () => number): JwtCodec {
  assertHmacAlgorithm(algorithm);
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const seconds = (): number => Math.floor(now() / 1000);

  return {
    keyId: keyIdOf(secret, algorithm),

    sign(claims, expiresAt) {
      const payload =
        expiresAt === NEVER
          ? { ...claims, iat: seconds() }
          : { ...claims, iat: seconds(), exp: Math.ceil(expiresAt / 1000) };
      try {
        return sign(sdkReadableJson(payload), key, { algorithm });
      } catch (error) {
        throw new TesseraError('security.token.generation_failed', [messageOf(error)], { cause: error });
      }
    },

    verify(jwt) {
      let payload: unknown;
      try {
        // Pinned: a token naming another algorithm (`none` included) is refused before its signature is read.
        payload = verify(jwt, key, { algorithms: [algorithm], clockTimestamp: seconds() });
      } catch (error) {
        throw verificationError(error);
      }
      if (!hasKuid(payload)) throw tesseraError('security.token.invalid');
      return payload;
    },
  };
}

/**
 * kuzzle-sdk decodes a JWT's payload with the standard base64 alphabet and silently drops `-` and `_`, the
 * base64url digits for 62 and 63, so a payload whose encoding holds one reaches it corrupted. Bytes below 0x7f
 * only ever encode to 62 or 63 when they are `>`, `?` or `~` (as the third byte of a group), so escaping those
 * and every non-ASCII character as `\uXXXX` (they only occur inside JSON strings) leaves nothing that can.
 */
function sdkReadableJson(payload: Readonly<Record<string, string | number>>): string {
  return JSON.stringify(payload).replace(
    /[>?~\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function hasKuid(payload: unknown): payload is TokenClaims {
  return (
    typeof payload === 'object' && payload !== null && typeof (payload as { _id?: unknown })._id === 'string'
  );
}

function verificationError(error: unknown): TesseraError {
  // TokenExpiredError extends JsonWebTokenError: test it first.
  if (error instanceof TokenExpiredError)
    return new TesseraError('security.token.expired', [], { cause: error });
  // A SyntaxError is a header or payload that is not JSON: jsonwebtoken lets JSON.parse's error through, but
  // an unreadable token is the client's, not a fault of ours.
  if (error instanceof JsonWebTokenError || error instanceof SyntaxError)
    return new TesseraError('security.token.invalid', [], { cause: error });
  return new TesseraError('security.token.verification_error', [messageOf(error)], { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
