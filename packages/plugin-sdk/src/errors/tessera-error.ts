/**
 * TesseraError: the error every API answer carries. Built only from the catalog, so id, code, status and
 * message always agree. Its JSON form is the Kuzzle error object and never carries a stack.
 */
import { errorCatalog, type ErrorId, type ErrorSpec } from './catalog';

/** An error outside the kernel's catalog, already resolved: a plugin's own (see `definePluginErrors`). */
export interface ResolvedError extends ErrorSpec {
  readonly id: string;
}

export interface SerializedError {
  status: number;
  id: string;
  code: number;
  message: string;
  props: string[];
}

const BRAND = Symbol.for('tessera.error');

export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  readonly [BRAND] = true;
  /** A catalog id, or `plugin.<name>.<error>` for a plugin's own error. */
  readonly id: string;
  readonly code: number;
  readonly status: number;
  readonly props: string[];
  /** Extra fields a few errors add to their JSON form (documented per error in docs/errors.md). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    error: ErrorId | ResolvedError,
    props: readonly unknown[] = [],
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const { id, ...spec } = typeof error === 'string' ? { id: error, ...errorCatalog[error] } : error;
    const texts = props.map(String);
    super(
      formatMessage(spec.message, texts),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.id = id;
    this.code = spec.code;
    this.status = spec.status;
    this.props = texts;
    this.details = options.details;
  }

  toJSON(): SerializedError {
    return {
      ...this.details,
      status: this.status,
      id: this.id,
      code: this.code,
      message: this.message,
      props: this.props,
    };
  }
}

/** Creates the catalog error `id` with its message placeholders filled by `props`, in order. */
export function tesseraError(id: ErrorId, ...props: unknown[]): TesseraError {
  return new TesseraError(id, props);
}

/** Recognises a TesseraError even when two copies of this package are loaded (a plugin's own node_modules). */
export function isTesseraError(value: unknown): value is TesseraError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function formatMessage(template: string, props: readonly string[]): string {
  let next = 0;
  return template.replace(/%s/g, () => props[next++] ?? '');
}
