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

export function requestFromEnvelope(raw: unknown, connection: ConnectionInfo): Request {
  const envelope = isPlainObject(raw) ? raw : {};
  const requestId =
    typeof envelope.requestId === 'string' && envelope.requestId !== '' ? envelope.requestId : randomUUID();
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(envelope)) {
    // A `__proto__` key is refused below; it must not reach an assignment here first.
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
      volatile: isPlainObject(envelope.volatile) ? (envelope.volatile as JsonObject) : null,
      args,
    },
    connection,
  );
  const problem = findEnvelopeProblem(raw);
  if (problem) request.setError(problem);
  return request;
}

function findEnvelopeProblem(raw: unknown): TesseraError | null {
  if (!isPlainObject(raw)) return tesseraError('api.assert.invalid_type', 'request', 'object');
  if (raw.requestId !== undefined && raw.requestId !== null && typeof raw.requestId !== 'string') {
    return tesseraError('api.assert.invalid_type', 'requestId', 'string');
  }
  for (const name of ['controller', 'action'] as const) {
    const value = raw[name];
    if (value === undefined || value === null || value === '')
      return tesseraError('api.assert.missing_argument', name);
    if (typeof value !== 'string') return tesseraError('api.assert.invalid_type', name, 'string');
  }
  for (const [name, expected] of [
    ['jwt', 'string'],
    ['volatile', 'object'],
    ['body', 'object'],
  ] as const) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    const fits = expected === 'string' ? typeof value === 'string' : isPlainObject(value);
    if (!fits) return tesseraError('api.assert.invalid_type', name, expected);
  }
  const polluting = findPrototypeKey(raw);
  return polluting === null
    ? null
    : tesseraError('api.assert.invalid_argument', polluting, 'no "__proto__" key anywhere in a request');
}

/**
 * JSON.parse keeps a `__proto__` key as an own property; code that later copies or merges it would change a
 * prototype. Refusing such input at the door keeps every layer below safe. Iterative, so deep input cannot
 * exhaust the stack.
 */
export function findPrototypeKey(root: unknown): string | null {
  const pending: [unknown, string][] = [[root, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key === '__proto__') return childPath;
      pending.push([(value as Record<string, unknown>)[key], childPath]);
    }
  }
  return null;
}
