/**
 * The kernel's structured logger: one JSON object per line (`{time, level, msg, ...bindings, ...fields}`).
 * Secrets never reach a line: fields named like a credential are redacted at any depth. An error is written as
 * `{message, id, code, stack, cause}`, its cause chain followed to the end (a cause that is no error is a value
 * like any other, redacted the same way); its other properties (a path, a query) stay out.
 */
import { types } from 'node:util';
import type { LogFields, LogLevel, Logger } from '@tessera/plugin-sdk';

export interface LoggerOptions {
  /** The least severe level written. */
  level: LogLevel;
  /** process.stdout unless given. */
  destination?: NodeJS.WritableStream;
  /** Fields every line carries. */
  bindings?: LogFields;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A field whose name, lowercased and without `-`/`_`, ends with one of these is redacted: `password` and also
 * `newPassword`, `token` and also `refresh_token`, `apiKey` and also `x-api-key`.
 */
const SECRET_NAMES = ['password', 'jwt', 'token', 'secret', 'hash', 'authorization', 'cookie', 'apikey'];
const REDACTED = '[redacted]';

const noop = (): void => {};

export function createLogger(options: LoggerOptions): Logger {
  const { level, destination = process.stdout, bindings = {} } = options;
  const writer =
    (lineLevel: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      const head = { time: new Date().toISOString(), level: lineLevel, msg: message };
      const body = toLogValue({ ...bindings, ...fields }, new Set()) as LogFields;
      // `head` goes first for the key order and last so that no field can overwrite it.
      destination.write(`${JSON.stringify({ ...head, ...body, ...head })}\n`);
    };
  const at = (lineLevel: LogLevel) => (SEVERITY[lineLevel] < SEVERITY[level] ? noop : writer(lineLevel));
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger({ level, destination, bindings: { ...bindings, ...more } }),
  };
}

/** A logger that writes nothing, for code under test that needs one. */
export function createSilentLogger(): Logger {
  const silent: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silent };
  return silent;
}

/**
 * What a line carries of `value`: a JSON-safe copy with every secret-named field (see SECRET_NAMES) replaced by
 * "[redacted]", at any depth, and errors written as `{message, id, code, stack, cause}`.
 */
export function redact(value: unknown): unknown {
  return toLogValue(value, new Set());
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

/** True for a field name that holds a secret (see SECRET_NAMES). */
export function isSecretName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.some((secret) => normalised.endsWith(secret));
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
