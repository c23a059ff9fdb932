/**
 * The plugin's configuration (`plugins.auth-totp`) as a zod schema, the plugin's `configSchema`: the kernel
 * checks it before setup, so a wrong key or value stops the boot with a message naming the key rather than
 * surfacing at the first login, and `ctx.config` holds what the schema returns (defaults filled in).
 */
import { expected, type DeepReadonly } from '@tessera/plugin-sdk';
import { z } from 'zod';

const ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type TotpAlgorithm = (typeof ALGORITHMS)[number];

const integer = (min: number, max: number) =>
  z
    .int({ error: expected(`an integer from ${min} to ${max}`) })
    .min(min)
    .max(max);

const boolean = z.boolean({ error: expected('a boolean') });

const secondFactor = z.strictObject(
  {
    /** Strategies whose logins need a code too, from the users with a confirmed enrolment. */
    strategies: z
      .array(z.string({ error: expected('a strategy name') }), {
        error: expected('an array of strategy names other than "totp"'),
      })
      .refine((names) => names.every((name) => name !== '' && name !== 'totp'))
      .default([])
      .transform((names) => [...new Set(names)]),
  },
  { error: expected('an object') },
);

export const authTotpConfigSchema = z
  .strictObject({
    /** The issuer authenticator apps show beside the account. */
    issuer: z
      .string({ error: expected('a non-empty string without ":"') })
      // The issuer is the URI label's prefix, "issuer:account": a colon would make the label ambiguous.
      .regex(/^[^:]+$/)
      .default('Tessera'),
    /** HMAC algorithm of new enrolments; SHA1 is the one every authenticator app supports. */
    algorithm: z.enum(ALGORITHMS, { error: expected(`one of ${ALGORITHMS.join(', ')}`) }).default('SHA1'),
    /** Digits of a code for new enrolments. */
    digits: integer(6, 8).default(6),
    /** Seconds a code lasts for new enrolments. */
    period: integer(15, 120).default(30),
    /** Time steps accepted on either side of the current one (1: clock drift of one period). */
    window: integer(0, 5).default(1),
    /** New enrolments stay pending until a first valid code confirms them. */
    confirmEnrolment: boolean.default(true),
    /**
     * `auth:login` with the `totp` strategy alone (default: true, or false when `secondFactor` names strategies:
     * a code alone would otherwise bypass the password it is meant to complete).
     */
    standaloneLogin: boolean.optional(),
    secondFactor: secondFactor.prefault({}),
  })
  .transform(({ standaloneLogin, ...settings }) => ({
    ...settings,
    standaloneLogin: standaloneLogin ?? settings.secondFactor.strategies.length === 0,
  }));

/** `plugins.auth-totp` as written in the server's configuration. */
export type AuthTotpConfig = z.input<typeof authTotpConfigSchema>;
/** The checked configuration: what `ctx.config` holds. */
export type AuthTotpSettings = DeepReadonly<z.output<typeof authTotpConfigSchema>>;
