/**
 * The one place MongoDB's errors become catalog errors: a lost or unreachable server is
 * `services.storage.not_connected` (503, the request may be retried), a duplicate key gets its meaning back
 * (taken id, taken unique value), anything else is an unexpected storage error keeping the original.
 */
import { TesseraError, isTesseraError } from '@tessera/plugin-sdk';
import type { CollectionRef } from '@tessera/store';
import { SOURCE } from './documents';

const DUPLICATE_KEY = 11000;
// The driver's classes for a server it cannot reach, lost, or a pool or topology it closed.
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClosedError',
  'MongoClientClosedError',
  'MongoServerClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);
// Server codes: shutting down, not primary any more, maxTimeMS expired (our own bound on a call).
const UNAVAILABLE_CODES = new Set([50, 91, 189, 10107, 11600, 11602, 13435, 13436]);

export function mapMongoError(error: unknown, ref: CollectionRef | undefined): TesseraError {
  if (isTesseraError(error)) return error;
  const { name, code, keyPattern, labels } = fieldsOf(error);
  if (code === DUPLICATE_KEY) {
    const [key] = Object.keys(keyPattern ?? {});
    if (key === '_id')
      return new TesseraError('services.storage.document_already_exists', [], { cause: error });
    if (key !== undefined && key.startsWith(`${SOURCE}.`) && ref !== undefined) {
      return new TesseraError(
        'services.storage.unique_violation',
        [ref.collection, key.slice(SOURCE.length + 1)],
        {
          cause: error,
        },
      );
    }
  }
  if (
    UNAVAILABLE_NAMES.has(name) ||
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    labels.includes('ResetPool') ||
    labels.includes('RetryableWriteError')
  ) {
    return new TesseraError('services.storage.not_connected', [], { cause: error });
  }
  return new TesseraError('services.storage.unexpected_error', [], { cause: error });
}

function fieldsOf(error: unknown): {
  name: string;
  code?: number;
  keyPattern?: Record<string, unknown>;
  labels: string[];
} {
  if (typeof error !== 'object' || error === null) return { name: '', labels: [] };
  const { name, code, keyPattern, errorLabels } = error as {
    name?: unknown;
    code?: unknown;
    keyPattern?: unknown;
    errorLabels?: unknown;
  };
  return {
    name: typeof name === 'string' ? name : '',
    ...(typeof code === 'number' ? { code } : {}),
    ...(typeof keyPattern === 'object' && keyPattern !== null
      ? { keyPattern: keyPattern as Record<string, unknown> }
      : {}),
    labels: Array.isArray(errorLabels) ? errorLabels.map(String) : [],
  };
}
