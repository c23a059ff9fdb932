/**
 * Password policies (reference §7.3): which ones apply to a user, what they require of a new password, and
 * whether they stand in the way of a login. Every policy that applies counts: the strictest value wins.
 */
import type { IdentitySummary, PluginContext } from '@tessera/plugin-sdk';
import type { PasswordPolicy } from './config';
import type { ArchivedHash, CredentialsDocument } from './credentials-store';
import { authLocalError } from './errors';
import type { PasswordHasher } from './password-hasher';

/** The policies that apply to one user, merged. */
export interface PasswordRules {
  readonly expiresAfterMs: number | null;
  readonly forbidLoginInPassword: boolean;
  readonly forbidReusedPasswordCount: number;
  /** Already false for admins, whom this policy never affects. */
  readonly mustChangePasswordIfSetByAdmin: boolean;
  readonly passwordRegexes: readonly RegExp[];
}

export type LoginObstacle = 'expired_password' | 'must_change_password';

type Identity = PluginContext['identity'];

const ADMIN_ROLE = 'admin';

export class PasswordPolicies {
  // Only policies naming profiles or roles, or exempting admins, need to know who the user is.
  private readonly needsIdentity: boolean;

  constructor(
    private readonly policies: readonly PasswordPolicy[],
    private readonly identity: Identity,
    private readonly hasher: PasswordHasher,
  ) {
    this.needsIdentity = policies.some((p) => p.appliesTo !== '*' || p.mustChangePasswordIfSetByAdmin);
  }

  async rulesFor(kuid: string): Promise<PasswordRules> {
    const summary = this.needsIdentity ? await this.identity.describe(kuid) : null;
    const applicable = this.policies.filter((policy) => appliesTo(policy, kuid, summary));
    const expiries = applicable.flatMap((p) => (p.expiresAfter === undefined ? [] : [p.expiresAfter]));
    // Admins never have to change a password someone else set. Kuzzle's test is "a profile whose policies
    // include the admin role"; holding the admin role is the same fact, as `identity` reports it.
    const isAdmin = summary?.roleIds.includes(ADMIN_ROLE) ?? false;
    return {
      expiresAfterMs: expiries.length === 0 ? null : Math.min(...expiries),
      forbidLoginInPassword: applicable.some((p) => p.forbidLoginInPassword),
      forbidReusedPasswordCount: Math.max(0, ...applicable.map((p) => p.forbidReusedPasswordCount)),
      mustChangePasswordIfSetByAdmin: !isAdmin && applicable.some((p) => p.mustChangePasswordIfSetByAdmin),
      passwordRegexes: applicable.flatMap((p) => (p.passwordRegex === undefined ? [] : [p.passwordRegex])),
    };
  }

  /** Refuses a new password the rules forbid; `current` is the user's stored credentials, if any. */
  async checkNewPassword(
    rules: PasswordRules,
    password: string,
    username: string | undefined,
    current: CredentialsDocument | undefined,
  ): Promise<void> {
    if (rules.forbidLoginInPassword && username && password.toLowerCase().includes(username.toLowerCase())) {
      throw authLocalError('login_in_password');
    }
    if (!rules.passwordRegexes.every((regex) => regex.test(password))) throw authLocalError('weak_password');
    if (current === undefined || rules.forbidReusedPasswordCount === 0) return;
    const recent = [current.hash, ...current.history.map((archived) => archived.hash)];
    for (const hash of recent.slice(0, rules.forbidReusedPasswordCount)) {
      if (await this.hasher.compare(password, hash)) throw authLocalError('reused_password');
    }
  }
}

/** The history to store once `current`'s password is replaced: as many hashes as the reuse check reads. */
export function historyAfterChange(
  rules: PasswordRules,
  current: CredentialsDocument,
  now: number,
): ArchivedHash[] {
  const keep = rules.forbidReusedPasswordCount - 1;
  if (keep <= 0) return [];
  return [{ hash: current.hash, archivedAt: now }, ...current.history].slice(0, keep);
}

/** What keeps a user who gave the right password from logging in, if anything. */
export function loginObstacle(
  rules: PasswordRules,
  credentials: CredentialsDocument,
  now: number,
): LoginObstacle | null {
  if (rules.expiresAfterMs !== null && now >= credentials.updatedAt + rules.expiresAfterMs)
    return 'expired_password';
  if (rules.mustChangePasswordIfSetByAdmin && credentials.updater !== credentials.kuid)
    return 'must_change_password';
  return null;
}

function appliesTo(policy: PasswordPolicy, kuid: string, summary: IdentitySummary | null): boolean {
  const target = policy.appliesTo;
  if (target === '*') return true;
  return (
    target.users.includes(kuid) ||
    (summary !== null &&
      (target.profiles.some((id) => summary.profileIds.includes(id)) ||
        target.roles.some((id) => summary.roleIds.includes(id))))
  );
}
