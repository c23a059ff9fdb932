/**
 * Argument checks shared by the user, profile and role validators. Each names the offending argument the way
 * the API caller wrote it (`body.policies[0].roleId`), so an error says exactly what to fix.
 */
import { tesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from '../../api/envelope';

/** A present (neither undefined nor null) plain object: `missing_argument` or `invalid_type` otherwise. */
export function readObject(value: unknown, path: string): Record<string, unknown> {
  assertPresent(value, path);
  if (!isPlainObject(value)) throw tesseraError('api.assert.invalid_type', path, 'object');
  return value;
}

/** As readObject, and `empty_argument` when it has no keys. */
export function readNonEmptyObject(value: unknown, path: string): Record<string, unknown> {
  const object = readObject(value, path);
  if (Object.keys(object).length === 0) throw tesseraError('api.assert.empty_argument', path);
  return object;
}

/** A present, non-empty array: `missing_argument`, `invalid_type` or `empty_argument` otherwise. */
export function readNonEmptyArray(value: unknown, path: string): unknown[] {
  assertPresent(value, path);
  if (!Array.isArray(value)) throw tesseraError('api.assert.invalid_type', path, 'array');
  if (value.length === 0) throw tesseraError('api.assert.empty_argument', path);
  return value;
}

/** A non-empty string: ids and names, where "" can only be a mistake. */
export function readString(value: unknown, path: string): string {
  assertPresent(value, path);
  if (typeof value !== 'string') throw tesseraError('api.assert.invalid_type', path, 'string');
  if (value === '') throw tesseraError('api.assert.empty_argument', path);
  return value;
}

/** A non-empty array of non-empty strings. */
export function readStringArray(value: unknown, path: string): string[] {
  return readNonEmptyArray(value, path).map((item, i) => readString(item, `${path}[${i}]`));
}

/** `unexpected_argument` for the first key of `object` that is not in `accepted`. */
export function assertOnlyKeys(object: object, accepted: readonly string[], path: string): void {
  const unexpected = Object.keys(object).find((key) => !accepted.includes(key));
  if (unexpected !== undefined) {
    throw tesseraError('api.assert.unexpected_argument', `${path}.${unexpected}`, accepted.join(', '));
  }
}

function assertPresent(value: unknown, path: string): void {
  if (value === undefined || value === null) throw tesseraError('api.assert.missing_argument', path);
}
