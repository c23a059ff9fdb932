/**
 * RFC 6238 arithmetic: time steps, the code of a step (HOTP over the step counter, through otpauth), and finding
 * which step of the accepted window a submitted code belongs to. Pure functions of their arguments: the clock and
 * the replay bookkeeping belong to the callers.
 */
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';
import type { TotpAlgorithm } from './config';

export interface CodeParameters {
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  /** Seconds per step. */
  readonly period: number;
}

/** The time step `timeMs` falls in: the count of whole periods since the epoch. */
export function stepAt(timeMs: number, period: number): number {
  return Math.floor(timeMs / 1000 / period);
}

/** The code of `step` for a base32 secret. */
export function codeOf(secret: string, parameters: CodeParameters, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: parameters.algorithm,
    digits: parameters.digits,
    counter: step,
  });
}

/** A submitted code as a string of digits (a JSON number is read with its lost leading zeros restored), or null. */
export function readCode(value: unknown, digits: number): string | null {
  const text =
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? String(value).padStart(digits, '0')
      : value;
  return typeof text === 'string' && text.length === digits && /^\d+$/.test(text) ? text : null;
}

/**
 * The step within `window` steps of `nowStep` whose code is `code` and which comes after `after` (the last step
 * used; null: none), or null. The oldest acceptable step wins, and every candidate is computed and compared in
 * constant time whatever matches, so the answer's timing says nothing about which step it was.
 */
export function matchingStep(
  secret: string,
  parameters: CodeParameters,
  code: string,
  nowStep: number,
  window: number,
  after: number | null,
): number | null {
  const submitted = Buffer.from(code);
  let found: number | null = null;
  for (let step = nowStep - window; step <= nowStep + window; step += 1) {
    const expected = Buffer.from(codeOf(secret, parameters, step));
    const same = expected.length === submitted.length && timingSafeEqual(expected, submitted);
    if (same && found === null && step >= 0 && (after === null || step > after)) found = step;
  }
  return found;
}
