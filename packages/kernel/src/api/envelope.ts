/**
 * Turns a raw request envelope (a WebSocket frame, a `POST /_query` body, or what the HTTP router assembled)
 * into a Request. Never throws: an invalid envelope becomes a Request that already carries its error, with
 * the client's requestId kept whenever it was usable, so the answer still reaches the right pending call.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectionInfo, JsonObject } from '@tessera/plugin-sdk';
import { tesseraError, type TesseraError } from '@tessera/plugin-sdk';
import { isPlainObject } from '@tessera/store';
import { Request } from './request';

// Kept reachable here: the kernel's modules read envelopes and config with it.
export { isPlainObject };

const ENVELOPE_KEYS = new Set(['controller', 'action', 'jwt', 'body', 'requestId', 'volatile']);

/** The deepest a request field may nest objects and arrays, the field itself being level 1. */
export const MAX_NESTING_DEPTH = 64;

/**
 * What a request id may hold: it is echoed in the `X-Kuzzle-Request-Id` header and written in the logs as is,
 * so visible ASCII and spaces only (kuzzle-sdk sends uuids).
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export function requestFromEnvelope(raw: unknown, connection: ConnectionInfo): Request {
  const envelope = isPlainObject(raw) ? raw : {};
  const problem = findEnvelopeProblem(raw);
  const requestId = isUsableRequestId(envelope.requestId) ? envelope.requestId : randomUUID();
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(envelope)) {
    // A `__proto__` key is refused; it must not reach an assignment here first.
    if (key === '__proto__' || ENVELOPE_KEYS.has(key) || value === null || value === undefined) continue;
    args[key] = value;
  }
  const request = new Request(
    requestId,
    {
      controller: typeof envelope.controller === 'string' ? envelope.controller : '',
      action: typeof envelope.action === 'string' ? envelope.action : '',
      jwt: typeof envelope.jwt === 'string' ? envelope.jwt : null,
      body: isPlainObject(envelope.body) ? (envelope.body as JsonObject) : null,
      // Echoed in the answer: only once it is known to be a sound value.
      volatile:
        problem === null && isPlainObject(envelope.volatile) ? (envelope.volatile as JsonObject) : null,
      args,
    },
    connection,
  );
  if (problem) request.setError(problem);
  return request;
}

/** Whether a client's request id can be kept: echoed in a header and logged as is. */
export function isUsableRequestId(value: unknown): value is string {
  return typeof value === 'string' && PRINTABLE_ASCII.test(value);
}

/** The names every envelope must give; built once, not on every request. */
const REQUIRED_NAMES = ['controller', 'action'] as const;
/** The other envelope fields, when given, and the type each must have. */
const OPTIONAL_FIELDS = [
  ['jwt', 'string'],
  ['volatile', 'object'],
  ['body', 'object'],
] as const;

function findEnvelopeProblem(raw: unknown): TesseraError | null {
  if (!isPlainObject(raw)) return tesseraError('api.assert.invalid_type', 'request', 'object');
  const { requestId } = raw;
  if (requestId !== undefined && requestId !== null && requestId !== '') {
    if (typeof requestId !== 'string') return tesseraError('api.assert.invalid_type', 'requestId', 'string');
    if (!isUsableRequestId(requestId)) {
      return tesseraError('api.assert.invalid_argument', 'requestId', 'printable ASCII characters only');
    }
  }
  for (const name of REQUIRED_NAMES) {
    const value = raw[name];
    if (value === undefined || value === null || value === '')
      return tesseraError('api.assert.missing_argument', name);
    if (typeof value !== 'string') return tesseraError('api.assert.invalid_type', name, 'string');
  }
  for (const [name, expected] of OPTIONAL_FIELDS) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    const fits = expected === 'string' ? typeof value === 'string' : isPlainObject(value);
    if (!fits) return tesseraError('api.assert.invalid_type', name, expected);
  }
  return findNestingProblem(raw);
}

/** An object or array of the envelope, on the way down. */
interface Visit {
  readonly value: object;
  readonly key: string;
  readonly parent: Visit | null;
  /** 1 for a field of the envelope. */
  readonly depth: number;
}

/**
 * Walks the whole envelope once, iteratively (so deep input cannot exhaust the stack), before anything recursive
 * reads it:
 * - a field nested deeper than MAX_NESTING_DEPTH would overflow the stack of whatever recursive code meets it
 *   first (a query parser, JSON.stringify echoing a volatile, the storage engine): it is refused, named;
 * - JSON.parse keeps a `__proto__` key as an own property, and code that later copies or merges it would change a
 *   prototype: it is refused at any depth, so every layer below is safe.
 */
function findNestingProblem(envelope: Record<string, unknown>): TesseraError | null {
  const pending: Visit[] = [{ value: envelope, key: '', parent: null, depth: 0 }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    if (visit.depth > MAX_NESTING_DEPTH) {
      return tesseraError(
        'api.assert.invalid_argument',
        pathOf(visit)[0]!,
        `at most ${MAX_NESTING_DEPTH} levels of nested objects and arrays`,
      );
    }
    for (const key of Object.keys(visit.value)) {
      const value = (visit.value as Record<string, unknown>)[key];
      if (key === '__proto__') {
        return tesseraError(
          'api.assert.invalid_argument',
          [...pathOf(visit), key].join('.'),
          'no "__proto__" key anywhere in a request',
        );
      }
      // Only objects and arrays nest: a scalar needs no visit of its own.
      if (typeof value === 'object' && value !== null) {
        pending.push({ value, key, parent: visit, depth: visit.depth + 1 });
      }
    }
  }
  return null;
}

/** The keys from the envelope down to `visit`. */
function pathOf(visit: Visit): string[] {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at !== null && at.parent !== null; at = at.parent) keys.unshift(at.key);
  return keys;
}
