/**
 * The plugin's configuration (`plugins.auth-local`), checked once at setup: a wrong key or value stops the
 * boot with a message naming the key, rather than surfacing at the first login.
 */
import { parseDuration, tesseraError, type TesseraError } from '@tessera/plugin-sdk';

/** A password policy as written in the configuration (Kuzzle's local plugin format). */
export interface PasswordPolicyConfig {
  /** Everyone, or the users listed by kuid, or holding one of the profiles or roles. */
  appliesTo: '*' | { users?: string[]; profiles?: string[]; roles?: string[] };
  /** How long a password stays valid after it was set: milliseconds or an `ms` string. */
  expiresAfter?: number | string;
  forbidLoginInPassword?: boolean;
  /** A new password may match neither the current one nor the N - 1 before it. */
  forbidReusedPasswordCount?: number;
  /** A password set by someone else must be changed at the next login (never for admins). */
  mustChangePasswordIfSetByAdmin?: boolean;
  /** `pattern` or `/pattern/flags`; a new password must match it. */
  passwordRegex?: string;
}

export interface AuthLocalConfig {
  /** bcrypt's cost factor, 4 to 15 (default 10). Changing it rehashes each password at its next login. */
  bcryptCost?: number;
  /** `auth:updateMyCredentials` and `auth:deleteMyCredentials` need `body.currentPassword` (default true; Kuzzle: false). */
  requirePassword?: boolean;
  /** Lifetime of reset tokens: milliseconds or an `ms` string (default "2h"); -1: they never expire. */
  resetPasswordExpiresIn?: number | string;
  passwordPolicies?: PasswordPolicyConfig[];
}

export interface PasswordPolicy {
  readonly appliesTo:
    | '*'
    | {
        readonly users: readonly string[];
        readonly profiles: readonly string[];
        readonly roles: readonly string[];
      };
  readonly expiresAfterMs: number | null;
  readonly forbidLoginInPassword: boolean;
  readonly forbidReusedPasswordCount: number;
  readonly mustChangePasswordIfSetByAdmin: boolean;
  readonly passwordRegex: RegExp | null;
}

export interface AuthLocalSettings {
  readonly bcryptCost: number;
  readonly requirePassword: boolean;
  /** null: reset tokens never expire. */
  readonly resetPasswordExpiresInMs: number | null;
  readonly passwordPolicies: readonly PasswordPolicy[];
}

const ROOT = 'plugins.auth-local';
const MIN_COST = 4;
// Each step doubles the work; 15 already takes seconds per login on common hardware.
const MAX_COST = 15;
const DEFAULTS = { bcryptCost: 10, requirePassword: true, resetPasswordExpiresInMs: 2 * 3_600_000 };

type Fields = Readonly<Record<string, unknown>>;

export function readSettings(config: unknown): AuthLocalSettings {
  const root = readObject(config ?? {}, ROOT, [
    'bcryptCost',
    'requirePassword',
    'resetPasswordExpiresIn',
    'passwordPolicies',
  ]);
  const policies = root['passwordPolicies'] ?? [];
  if (!Array.isArray(policies)) throw invalid(`${ROOT}.passwordPolicies`, 'an array of policies', policies);
  return {
    bcryptCost: readInteger(
      root['bcryptCost'],
      `${ROOT}.bcryptCost`,
      DEFAULTS.bcryptCost,
      MIN_COST,
      MAX_COST,
    ),
    requirePassword: readBoolean(
      root['requirePassword'],
      `${ROOT}.requirePassword`,
      DEFAULTS.requirePassword,
    ),
    resetPasswordExpiresInMs: readResetExpiry(root['resetPasswordExpiresIn']),
    passwordPolicies: policies.map((policy, i) => readPolicy(policy, `${ROOT}.passwordPolicies[${i}]`)),
  };
}

function readPolicy(value: unknown, path: string): PasswordPolicy {
  const policy = readObject(value, path, [
    'appliesTo',
    'expiresAfter',
    'forbidLoginInPassword',
    'forbidReusedPasswordCount',
    'mustChangePasswordIfSetByAdmin',
    'passwordRegex',
  ]);
  const expiresAfter = policy['expiresAfter'];
  return {
    appliesTo: readAppliesTo(policy['appliesTo'], `${path}.appliesTo`),
    expiresAfterMs:
      expiresAfter === undefined ? null : readPositiveDuration(expiresAfter, `${path}.expiresAfter`),
    forbidLoginInPassword: readBoolean(
      policy['forbidLoginInPassword'],
      `${path}.forbidLoginInPassword`,
      false,
    ),
    forbidReusedPasswordCount: readInteger(
      policy['forbidReusedPasswordCount'],
      `${path}.forbidReusedPasswordCount`,
      0,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    mustChangePasswordIfSetByAdmin: readBoolean(
      policy['mustChangePasswordIfSetByAdmin'],
      `${path}.mustChangePasswordIfSetByAdmin`,
      false,
    ),
    passwordRegex: readRegex(policy['passwordRegex'], `${path}.passwordRegex`),
  };
}

function readAppliesTo(value: unknown, path: string): PasswordPolicy['appliesTo'] {
  if (value === '*') return '*';
  const expected = '"*" or {users?, profiles?, roles?} with at least one non-empty list';
  if (value === undefined || !isObject(value)) throw invalid(path, expected, value);
  const target = readObject(value, path, ['users', 'profiles', 'roles']);
  const list = (key: string): readonly string[] => {
    const ids = target[key] ?? [];
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw invalid(`${path}.${key}`, 'an array of strings', ids);
    }
    return ids;
  };
  const appliesTo = { users: list('users'), profiles: list('profiles'), roles: list('roles') };
  if (appliesTo.users.length + appliesTo.profiles.length + appliesTo.roles.length === 0) {
    throw invalid(path, expected, value);
  }
  return appliesTo;
}

function readResetExpiry(value: unknown): number | null {
  if (value === undefined) return DEFAULTS.resetPasswordExpiresInMs;
  if (value === -1 || value === '-1') return null;
  return readPositiveDuration(value, `${ROOT}.resetPasswordExpiresIn`, ' or -1 (never)');
}

function readPositiveDuration(value: unknown, path: string, alternative = ''): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw invalid(path, `a positive duration in milliseconds or an ms string ("2h")${alternative}`, value);
  }
  return ms;
}

/** `pattern` or `/pattern/flags`, as Kuzzle's local plugin reads it. */
function readRegex(value: unknown, path: string): RegExp | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') throw invalid(path, 'a regular expression as a string', value);
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(value);
  const [pattern, flags] = literal ? [literal[1] ?? '', literal[2] ?? ''] : [value, ''];
  // With "g" or "y", RegExp#test remembers where it stopped: the same password would pass one time in two.
  if (/[gy]/.test(flags)) throw invalid(path, 'a regular expression without the "g" or "y" flag', value);
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw invalid(path, `a valid regular expression (${(error as Error).message})`, value);
  }
}

function readInteger(value: unknown, path: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw invalid(path, `an integer ${range}`, value);
  }
  return value;
}

function readBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(path, 'a boolean', value);
  return value;
}

function readObject(value: unknown, path: string, keys: readonly string[]): Fields {
  if (!isObject(value)) throw invalid(path, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw tesseraError('core.config.unknown_key', `${path}.${key}`);
  }
  return value;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(path: string, expected: string, value: unknown): TesseraError {
  return tesseraError(
    'core.config.invalid_value',
    path,
    `expected ${expected}, got ${JSON.stringify(value)}`,
  );
}
