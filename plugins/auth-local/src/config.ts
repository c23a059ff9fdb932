/**
 * The plugin's configuration (`plugins.auth-local`) as a zod schema, the plugin's `configSchema`: the kernel
 * checks it before setup, so a wrong key or value stops the boot with a message naming the key rather than
 * surfacing at the first login, and `ctx.config` holds what the schema returns (defaults filled in, durations in
 * milliseconds, regular expressions compiled).
 */
import { expected, parseDuration, type DeepReadonly } from '@tessera/plugin-sdk';
import { z } from 'zod';

const MIN_COST = 4;
// Each step doubles the work; 15 already takes seconds per login on common hardware.
const MAX_COST = 15;
const DEFAULT_RESET_EXPIRY_MS = 2 * 3_600_000;
const DURATION = 'a positive duration in milliseconds or an ms string ("2h")';

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({
      error: expected(
        max === Number.MAX_SAFE_INTEGER
          ? `an integer of at least ${min}`
          : `an integer from ${min} to ${max}`,
      ),
    })
    .min(min)
    .max(max);

const boolean = z.boolean({ error: expected('a boolean') });

/** Milliseconds in a positive duration: milliseconds or an `ms` string. */
function positiveDuration(what: string) {
  return z.union([z.number(), z.string()], { error: expected(what) }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: expected(what)({ input: value }) });
    return z.NEVER;
  });
}

/** A positive duration, or -1 (also "-1"): never, which reads as null. */
const NEVER = 'a positive duration in milliseconds or an ms string ("2h") or -1 (never)';
const durationOrNever = z.union([z.literal([-1, '-1']).transform(() => null), positiveDuration(NEVER)], {
  error: expected(NEVER),
});

/** `pattern` or `/pattern/flags`, as Kuzzle's local plugin reads it. */
const regex = z.string({ error: expected('a regular expression as a string') }).transform((value, ctx) => {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(value);
  const [pattern, flags] = literal ? [literal[1] ?? '', literal[2] ?? ''] : [value, ''];
  // With "g" or "y", RegExp#test remembers where it stopped: the same password would pass one time in two.
  if (/[gy]/.test(flags)) {
    ctx.addIssue({
      code: 'custom',
      message: expected('a regular expression without the "g" or "y" flag')({ input: value }),
    });
    return z.NEVER;
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: expected(`a valid regular expression (${(error as Error).message})`)({ input: value }),
    });
    return z.NEVER;
  }
});

const ids = z.array(z.string(), { error: expected('an array of strings') }).default([]);
const APPLIES_TO = '"*" or {users?, profiles?, roles?} with at least one non-empty list';

/** Everyone, or the users listed by kuid, or holding one of the profiles or roles. */
const appliesTo = z.union(
  [
    z.literal('*'),
    z
      .strictObject({ users: ids, profiles: ids, roles: ids })
      .refine((target) => target.users.length + target.profiles.length + target.roles.length > 0, {
        error: expected(APPLIES_TO),
      }),
  ],
  { error: expected(APPLIES_TO) },
);

/** A password policy, in Kuzzle's local plugin format. */
const passwordPolicy = z.strictObject(
  {
    appliesTo,
    /** How long a password stays valid after it was set, in milliseconds (none: for ever). */
    expiresAfter: positiveDuration(DURATION).optional(),
    forbidLoginInPassword: boolean.default(false),
    /** A new password may match neither the current one nor the N - 1 before it. */
    forbidReusedPasswordCount: integer(0).default(0),
    /** A password set by someone else must be changed at the next login (never for admins). */
    mustChangePasswordIfSetByAdmin: boolean.default(false),
    /** A new password must match it. */
    passwordRegex: regex.optional(),
  },
  { error: expected('an object') },
);

export const authLocalConfigSchema = z.strictObject({
  /** bcrypt's cost factor. Changing it rehashes each password at its next login. */
  bcryptCost: integer(MIN_COST, MAX_COST).default(10),
  /** `auth:updateMyCredentials` and `auth:deleteMyCredentials` need `body.currentPassword` (Kuzzle: false). */
  requirePassword: boolean.default(true),
  /** Lifetime of reset tokens in milliseconds; null: they never expire (configured as -1). */
  resetPasswordExpiresIn: durationOrNever.default(DEFAULT_RESET_EXPIRY_MS),
  passwordPolicies: z.array(passwordPolicy, { error: expected('an array of policies') }).default([]),
});

/** `plugins.auth-local` as written in the server's configuration. */
export type AuthLocalConfig = z.input<typeof authLocalConfigSchema>;
/** A password policy as written in the configuration. */
export type PasswordPolicyConfig = z.input<typeof passwordPolicy>;
/** The checked configuration: what `ctx.config` holds. */
export type AuthLocalSettings = DeepReadonly<z.output<typeof authLocalConfigSchema>>;
export type PasswordPolicy = AuthLocalSettings['passwordPolicies'][number];
