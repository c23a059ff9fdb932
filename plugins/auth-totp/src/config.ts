/**
 * The plugin's configuration (`plugins.auth-totp`), checked once at setup: a wrong key or value stops the boot
 * with a message naming the key, rather than surfacing at the first login.
 */
import { tesseraError, type TesseraError } from '@tessera/plugin-sdk';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface AuthTotpConfig {
  /** The issuer authenticator apps show beside the account (default "Tessera"). */
  issuer?: string;
  /** HMAC algorithm of new enrolments (default "SHA1", the one every authenticator app supports). */
  algorithm?: TotpAlgorithm;
  /** Digits of a code for new enrolments, 6 to 8 (default 6). */
  digits?: number;
  /** Seconds a code lasts for new enrolments, 15 to 120 (default 30). */
  period?: number;
  /** Time steps accepted on either side of the current one, 0 to 5 (default 1: clock drift of one period). */
  window?: number;
  /** New enrolments stay pending until a first valid code confirms them (default true). */
  confirmEnrolment?: boolean;
  /**
   * `auth:login` with the `totp` strategy alone (default: true, or false when `secondFactor` names strategies: a
   * code alone would otherwise bypass the password it is meant to complete).
   */
  standaloneLogin?: boolean;
  /** Strategies whose logins need a code too, from the users with a confirmed enrolment. */
  secondFactor?: { strategies?: string[] };
}

export interface AuthTotpSettings {
  readonly issuer: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly window: number;
  readonly confirmEnrolment: boolean;
  readonly standaloneLogin: boolean;
  readonly secondFactorStrategies: readonly string[];
}

const ROOT = 'plugins.auth-totp';
const ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

type Fields = Readonly<Record<string, unknown>>;

export function readSettings(config: unknown): AuthTotpSettings {
  const root = readObject(config ?? {}, ROOT, [
    'issuer',
    'algorithm',
    'digits',
    'period',
    'window',
    'confirmEnrolment',
    'standaloneLogin',
    'secondFactor',
  ]);
  const secondFactorStrategies = readSecondFactor(root['secondFactor']);
  const issuer = root['issuer'] ?? 'Tessera';
  // The issuer is the URI label's prefix, "issuer:account": a colon would make the label ambiguous.
  if (typeof issuer !== 'string' || issuer === '' || issuer.includes(':'))
    throw invalid(`${ROOT}.issuer`, 'a non-empty string without ":"', issuer);
  const algorithm = root['algorithm'] ?? 'SHA1';
  if (!ALGORITHMS.includes(algorithm as TotpAlgorithm))
    throw invalid(`${ROOT}.algorithm`, `one of ${ALGORITHMS.join(', ')}`, algorithm);
  return {
    issuer,
    algorithm: algorithm as TotpAlgorithm,
    digits: readInteger(root['digits'], `${ROOT}.digits`, 6, 6, 8),
    period: readInteger(root['period'], `${ROOT}.period`, 30, 15, 120),
    window: readInteger(root['window'], `${ROOT}.window`, 1, 0, 5),
    confirmEnrolment: readBoolean(root['confirmEnrolment'], `${ROOT}.confirmEnrolment`, true),
    standaloneLogin: readBoolean(
      root['standaloneLogin'],
      `${ROOT}.standaloneLogin`,
      secondFactorStrategies.length === 0,
    ),
    secondFactorStrategies,
  };
}

function readSecondFactor(value: unknown): readonly string[] {
  if (value === undefined) return [];
  const path = `${ROOT}.secondFactor`;
  const secondFactor = readObject(value, path, ['strategies']);
  const strategies = secondFactor['strategies'] ?? [];
  if (
    !Array.isArray(strategies) ||
    !strategies.every((name) => typeof name === 'string' && name !== '' && name !== 'totp')
  )
    throw invalid(`${path}.strategies`, 'an array of strategy names other than "totp"', strategies);
  return [...new Set(strategies as string[])];
}

function readInteger(value: unknown, path: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(path, `an integer from ${min} to ${max}`, value);
  return value;
}

function readBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(path, 'a boolean', value);
  return value;
}

function readObject(value: unknown, path: string, keys: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(path, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw tesseraError('core.config.unknown_key', `${path}.${key}`);
  }
  return value as Fields;
}

function invalid(path: string, expected: string, value: unknown): TesseraError {
  return tesseraError(
    'core.config.invalid_value',
    path,
    `expected ${expected}, got ${JSON.stringify(value)}`,
  );
}
