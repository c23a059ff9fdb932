/**
 * What a log line may carry of a value: a JSON-safe copy with every secret-named field replaced by "[redacted]"
 * at any depth, errors written as `{message, id, code, stack, cause}` with their cause chain followed to the end
 * (a cause that is no error is a value like any other, redacted the same way) and their other properties (a
 * path, a query) left out, cycles and bigints made writable.
 *
 * By name and at any depth, which pino's own `redact` (paths, one wildcard level) does not do: a field can be
 * nested anywhere in what a caller logs, and its name is the one thing every secret shares.
 */
import { types } from 'node:util';

/**
 * A field whose name, lowercased and without `-`/`_`, ends with one of these is redacted: `password` and also
 * `newPassword`, `token` and also `refresh_token`, `apiKey` and also `x-api-key`.
 */
const SECRET_NAMES = ['password', 'jwt', 'token', 'secret', 'hash', 'authorization', 'cookie', 'apikey'];
const REDACTED = '[redacted]';

/** The copy of `value` a line may carry (see the module header). */
export function redact(value: unknown): unknown {
  return toLogValue(value, new Set());
}

/** True for a field name that holds a secret (see SECRET_NAMES). */
export function isSecretName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.some((secret) => normalised.endsWith(secret));
}

function toLogValue(value: unknown, ancestors: Set<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[circular]';
  ancestors.add(value);
  try {
    if (isError(value)) return serializeError(value, ancestors);
    if (hasToJSON(value)) return toLogValue(value.toJSON(), ancestors);
    if (Array.isArray(value)) return value.map((item) => toLogValue(item, ancestors));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        isSecretName(key) ? REDACTED : toLogValue(item, ancestors),
      ]),
    );
  } finally {
    ancestors.delete(value);
  }
}

function serializeError(error: Error, ancestors: Set<object>): Record<string, unknown> {
  const { id, code } = error as { id?: unknown; code?: unknown };
  // Keys left undefined disappear from the JSON line.
  return {
    message: error.message,
    id,
    code,
    stack: error.stack,
    cause: error.cause === undefined ? undefined : toLogValue(error.cause, ancestors),
  };
}

/** Also an error made in another realm (a native addon's, under jest), which `instanceof Error` misses. */
function isError(value: object): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
