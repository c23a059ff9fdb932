/**
 * LocalCredentials: the rules of username-and-password credentials, apart from how the kernel calls them.
 * It checks, hashes, stores and verifies; it returns `{username, kuid}` at most and never a hash or a
 * password, nor logs one.
 */
import type { JsonObject, Logger, SearchBody, VerifyResult } from '@tessera/plugin-sdk';
import type { AuthLocalSettings } from './config';
import type { CredentialsDocument, CredentialsStore, StoredCredentials } from './credentials-store';
import { authLocalError } from './errors';
import { exceedsBcryptLimit, MAX_PASSWORD_BYTES, type PasswordHasher } from './password-hasher';
import { historyAfterChange, loginObstacle, type PasswordPolicies } from './password-policies';
import type { ResetTokens } from './reset-tokens';
import { assertSearchable } from './search-guard';

export interface LocalCredentialsDeps {
  readonly settings: AuthLocalSettings;
  readonly store: CredentialsStore;
  readonly policies: PasswordPolicies;
  readonly resetTokens: ResetTokens;
  readonly hasher: PasswordHasher;
  readonly now: () => number;
  readonly log: Logger;
  /** A hash of a random password at the configured cost: what unknown usernames are compared against. */
  readonly dummyHash: string;
}

/** All that is ever shown of credentials. */
export type CredentialsInfo = { username: string; kuid: string };

interface CredentialChanges {
  username?: string;
  password?: string;
}

const WRONG_CREDENTIALS = 'wrong username or password';

export class LocalCredentials {
  constructor(private readonly deps: LocalCredentialsDeps) {}

  /** A login attempt: `{kuid}`, or the same failure whether the username is unknown or the password wrong. */
  async verify(username: unknown, password: unknown): Promise<VerifyResult> {
    const { store, hasher, policies, resetTokens, now, dummyHash } = this.deps;
    // A password bcrypt would truncate cannot be the right one. Refused before any lookup, it tells nothing
    // about the username.
    if (typeof username !== 'string' || typeof password !== 'string' || exceedsBcryptLimit(password)) {
      return { kuid: null, message: WRONG_CREDENTIALS };
    }
    const found = await store.findByUsername(username);
    // Unknown usernames cost one comparison too, against a hash of the same cost: same answer, same work.
    const matches = await hasher.compare(password, found?._source.hash ?? dummyHash);
    if (found === null || !matches) return { kuid: null, message: WRONG_CREDENTIALS };

    const { kuid, updatedAt } = found._source;
    await this.rehashIfNeeded(found, password);
    const obstacle = loginObstacle(await policies.rulesFor(kuid), found._source, now());
    if (obstacle !== null) {
      // The client needs a way out: the reset token travels in the error's JSON form.
      const resetToken = resetTokens.issue({ kuid, passwordSetAt: updatedAt });
      throw authLocalError(obstacle, [], { details: { resetToken } });
    }
    return { kuid };
  }

  async validate(credentials: JsonObject, kuid: string, isUpdate: boolean): Promise<true> {
    const { username, password } = isUpdate
      ? readChanges(credentials)
      : readNewCredentials(credentials, 'password_required');
    const { store, policies } = this.deps;
    if (username !== undefined) {
      const owner = await store.findByUsername(username);
      if (owner !== null && owner._source.kuid !== kuid)
        throw authLocalError('login_already_used', [username]);
    }
    if (password !== undefined) {
      const current = (await store.findByKuid(kuid))?._source;
      const rules = await policies.rulesFor(kuid);
      await policies.checkNewPassword(rules, password, username ?? current?.username, current);
    }
    return true;
  }

  async create(credentials: JsonObject, kuid: string, updater: string | null): Promise<CredentialsInfo> {
    const { username, password } = readNewCredentials(credentials, 'password_needed');
    const { settings, store, hasher, now } = this.deps;
    const hash = await hasher.hash(password, settings.bcryptCost);
    const at = now();
    // No existence check first: the unique indexes refuse a second login or a second credential per kuid,
    // even when requests race.
    await store.create({
      username,
      kuid,
      hash,
      cost: settings.bcryptCost,
      updater,
      createdAt: at,
      updatedAt: at,
      history: [],
    });
    return { username, kuid };
  }

  async update(credentials: JsonObject, kuid: string, updater: string | null): Promise<CredentialsInfo> {
    const { username, password } = readChanges(credentials);
    const current = await this.existing(kuid);
    const changes: Partial<CredentialsDocument> = username === undefined ? {} : { username };
    if (password !== undefined)
      Object.assign(changes, await this.newPassword(current._source, password, updater));
    return infoOf((await this.deps.store.update(current, changes))._source);
  }

  /** Whether an update with `credentials` sets a password; a username, changed or not, is no secret. */
  changesSecret(credentials: JsonObject): boolean {
    return readFields(credentials).password !== undefined;
  }

  async delete(kuid: string): Promise<void> {
    await this.deps.store.delete(await this.existing(kuid));
  }

  async exists(kuid: string): Promise<boolean> {
    return (await this.deps.store.findByKuid(kuid)) !== null;
  }

  async getInfo(kuid: string): Promise<CredentialsInfo> {
    return infoOf((await this.existing(kuid))._source);
  }

  async getByUsername(username: string): Promise<CredentialsInfo> {
    const found = await this.deps.store.findByUsername(username);
    if (found === null) throw authLocalError('username_not_found', [username]);
    return infoOf(found._source);
  }

  async search(
    body: SearchBody,
    options: { from: number; size: number },
  ): Promise<{ hits: CredentialsInfo[]; total: number }> {
    assertSearchable(body);
    const { hits, total } = await this.deps.store.search(body, options);
    return { hits: hits.map((hit) => infoOf(hit._source)), total };
  }

  /** For `requirePassword`: the caller proves they know the current password. */
  async checkCurrentPassword(kuid: string, currentPassword: unknown): Promise<void> {
    if (typeof currentPassword !== 'string' || currentPassword === '') {
      throw authLocalError('current_password_required');
    }
    const { store, hasher, dummyHash } = this.deps;
    const found = await store.findByKuid(kuid);
    const matches =
      !exceedsBcryptLimit(currentPassword) &&
      (await hasher.compare(currentPassword, found?._source.hash ?? dummyHash));
    if (found === null || !matches) throw authLocalError('invalid_current_password');
  }

  /** A reset token for `kuid`, or null when it has no local credentials. */
  async resetToken(kuid: string): Promise<string | null> {
    const found = await this.deps.store.findByKuid(kuid);
    return found === null
      ? null
      : this.deps.resetTokens.issue({ kuid, passwordSetAt: found._source.updatedAt });
  }

  /** Sets the password a reset token was issued for, as its owner (so no "must change" follows); returns the kuid. */
  async resetPassword(token: string, password: string): Promise<string> {
    const { kuid, passwordSetAt } = this.deps.resetTokens.read(token);
    const current = await this.deps.store.findByKuid(kuid);
    if (current === null || current._source.updatedAt !== passwordSetAt)
      throw authLocalError('invalid_token');
    await this.validate({ password }, kuid, true);
    await this.update({ password }, kuid, kuid);
    return kuid;
  }

  private async existing(kuid: string): Promise<StoredCredentials> {
    const found = await this.deps.store.findByKuid(kuid);
    if (found === null) throw authLocalError('credentials_not_found', [kuid]);
    return found;
  }

  private async newPassword(
    current: CredentialsDocument,
    password: string,
    updater: string | null,
  ): Promise<Partial<CredentialsDocument>> {
    const { settings, hasher, policies, now } = this.deps;
    const rules = await policies.rulesFor(current.kuid);
    const at = now();
    return {
      hash: await hasher.hash(password, settings.bcryptCost),
      cost: settings.bcryptCost,
      updater,
      updatedAt: at,
      history: historyAfterChange(rules, current, at),
    };
  }

  /** After a successful login, brings the hash to the configured cost; a failure only costs the upgrade. */
  private async rehashIfNeeded(found: StoredCredentials, password: string): Promise<void> {
    const { settings, store, hasher, log } = this.deps;
    const { kuid, cost } = found._source;
    if (cost === settings.bcryptCost) return;
    try {
      const hash = await hasher.hash(password, settings.bcryptCost);
      // Not a password change: updatedAt (expiry) and updater stay as they are.
      await store.update(found, { hash, cost: settings.bcryptCost });
      log.info('password rehashed with the configured bcrypt cost', {
        kuid,
        from: cost,
        to: settings.bcryptCost,
      });
    } catch (error) {
      log.warn('could not rehash a password; it keeps its former cost', { kuid, reason: messageOf(error) });
    }
  }
}

function infoOf({ username, kuid }: CredentialsDocument): CredentialsInfo {
  return { username, kuid };
}

/** Credentials for a creation: both fields required. */
function readNewCredentials(
  credentials: JsonObject,
  missingPassword: 'password_required' | 'password_needed',
): { username: string; password: string } {
  const { username, password } = readFields(credentials);
  if (username === undefined) throw authLocalError('username_required');
  if (password === undefined) throw authLocalError(missingPassword);
  return { username, password };
}

/** Credentials for an update: either field, or both. */
function readChanges(credentials: JsonObject): CredentialChanges {
  const changes = readFields(credentials);
  if (changes.username === undefined && changes.password === undefined) {
    throw authLocalError('missing_username_or_password');
  }
  return changes;
}

/**
 * The fields the plugin reads; others (such as `currentPassword`, which self-service updates send along) are
 * ignored and never stored. An empty value counts as missing, as in Kuzzle.
 */
function readFields(credentials: JsonObject): CredentialChanges {
  if (credentials['kuid'] !== undefined) throw authLocalError('kuid_in_credentials');
  const username = optionalString(credentials, 'username');
  const password = optionalString(credentials, 'password');
  if (password !== undefined && exceedsBcryptLimit(password)) {
    throw authLocalError('password_too_long', [MAX_PASSWORD_BYTES]);
  }
  return { username, password };
}

function optionalString(credentials: JsonObject, field: string): string | undefined {
  const value = credentials[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw authLocalError('not_a_string', [field]);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
