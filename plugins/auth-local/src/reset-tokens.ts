/**
 * Reset-password tokens: JWTs `{resetForKuid}` signed with a secret only this plugin holds (collection
 * `config`, document `reset-secret`, made at first setup, never configurable). A token also carries when the
 * password was last set, so any change of the password voids it: a token resets a password once.
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isTesseraError, type StorageNamespace } from '@tessera/plugin-sdk';
import { authLocalError } from './errors';

const ISSUER = 'tessera-auth-local';
const ALGORITHM = 'HS256';
const SECRET_ID = 'reset-secret';

export interface ResetClaim {
  readonly kuid: string;
  /** The `updatedAt` of the credentials when the token was issued. */
  readonly passwordSetAt: number;
}

export class ResetTokens {
  private constructor(
    private readonly secret: string,
    /** null: tokens never expire. */
    private readonly expiresInMs: number | null,
    private readonly now: () => number,
  ) {}

  static async open(
    storage: StorageNamespace,
    expiresInMs: number | null,
    now: () => number,
  ): Promise<ResetTokens> {
    return new ResetTokens(await loadSecret(storage), expiresInMs, now);
  }

  issue({ kuid, passwordSetAt }: ResetClaim): string {
    const options: jwt.SignOptions = { algorithm: ALGORITHM, issuer: ISSUER };
    // The setting is in milliseconds; jsonwebtoken reads a number as seconds (Kuzzle passed it as-is).
    if (this.expiresInMs !== null) options.expiresIn = Math.ceil(this.expiresInMs / 1000);
    const payload = { resetForKuid: kuid, passwordSetAt, iat: this.seconds() };
    return jwt.sign(payload, this.secret, options);
  }

  /** The token's claim; `expired_token` or `invalid_token` when it is not one of ours, still valid. */
  read(token: string): ResetClaim {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        clockTimestamp: this.seconds(),
      });
    } catch (error) {
      const name = error instanceof jwt.TokenExpiredError ? 'expired_token' : 'invalid_token';
      throw authLocalError(name, [], { cause: error });
    }
    const { resetForKuid, passwordSetAt } = payload as { resetForKuid?: unknown; passwordSetAt?: unknown };
    if (typeof resetForKuid !== 'string' || typeof passwordSetAt !== 'number') {
      throw authLocalError('invalid_token');
    }
    return { kuid: resetForKuid, passwordSetAt };
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

async function loadSecret(storage: StorageNamespace): Promise<string> {
  const config = await storage.collection<{ secret: string }>('config');
  const existing = await config.get(SECRET_ID);
  if (existing !== null) return existing._source.secret;
  try {
    return (await config.create({ secret: randomBytes(64).toString('hex') }, SECRET_ID))._source.secret;
  } catch (error) {
    // Another node sharing the store made it first: everyone must sign with the same secret.
    if (!isTesseraError(error) || error.id !== 'services.storage.document_already_exists') throw error;
    const made = await config.get(SECRET_ID);
    if (made === null) throw error;
    return made._source.secret;
  }
}
