/**
 * The error side of a Kuzzle plugin's context: `context.errors` (Kuzzle's error classes) and
 * `context.errorsManager` / `context.kerror` (the plugin's own errors, declared in its manifest).
 *
 * Kuzzle's classes take a free message and carry no id; here every instance is a TesseraError with the
 * catalog id of its class (`plugin.kuzzle.bad_request`...) and the plugin's message, so clients still get an id
 * and a code. The manifest's errors become the plugin's own errors (`plugin.<name>.<error>`).
 */
import {
  TesseraError,
  definePluginErrors,
  tesseraError,
  type ErrorId,
  type PluginErrors,
  type PluginErrorSpec,
} from '@tessera/plugin-sdk';

/** Each Kuzzle error class, its HTTP status and the catalog id its instances get. */
const CLASSES = {
  BadRequestError: { status: 400, id: 'plugin.kuzzle.bad_request' },
  UnauthorizedError: { status: 401, id: 'plugin.kuzzle.unauthorized' },
  ForbiddenError: { status: 403, id: 'plugin.kuzzle.forbidden' },
  NotFoundError: { status: 404, id: 'plugin.kuzzle.not_found' },
  PreconditionError: { status: 412, id: 'plugin.kuzzle.precondition' },
  SizeLimitError: { status: 413, id: 'plugin.kuzzle.size_limit' },
  TooManyRequestsError: { status: 429, id: 'plugin.kuzzle.too_many_requests' },
  InternalError: { status: 500, id: 'plugin.kuzzle.internal_error' },
  PluginImplementationError: { status: 500, id: 'plugin.kuzzle.plugin_implementation' },
  ExternalServiceError: { status: 500, id: 'plugin.kuzzle.external_service' },
  ServiceUnavailableError: { status: 503, id: 'plugin.kuzzle.service_unavailable' },
  GatewayTimeoutError: { status: 504, id: 'plugin.kuzzle.gateway_timeout' },
  PartialError: { status: 206, id: 'plugin.kuzzle.partial' },
} as const satisfies Record<string, { status: number; id: ErrorId }>;

export type KuzzleErrorClass = keyof typeof CLASSES;

export function isKuzzleErrorClass(name: unknown): name is KuzzleErrorClass {
  return typeof name === 'string' && Object.hasOwn(CLASSES, name);
}

/** Kuzzle's base class: `new KuzzleError(message, status)`; its id is that of the class with this status. */
export class KuzzleError extends TesseraError {
  constructor(message: unknown, status = 500) {
    const entry =
      Object.values(CLASSES).find((candidate) => candidate.status === status) ?? CLASSES.InternalError;
    super(entry.id, [messageText(message)]);
  }
}

/** One subclass per Kuzzle class, so `instanceof context.errors.BadRequestError` holds as in Kuzzle. */
function errorClass(name: KuzzleErrorClass): typeof KuzzleError {
  const { status } = CLASSES[name];
  const subclass = class extends KuzzleError {
    constructor(message: unknown) {
      super(message, status);
    }
  };
  Object.defineProperty(subclass, 'name', { value: name });
  return subclass;
}

/** `context.errors`: frozen, shared by every Kuzzle plugin (the classes hold nothing of a plugin). */
export const kuzzleErrorClasses: Readonly<Record<KuzzleErrorClass | 'KuzzleError', typeof KuzzleError>> =
  Object.freeze({
    KuzzleError,
    ...(Object.fromEntries(
      Object.keys(CLASSES).map((name) => [name, errorClass(name as KuzzleErrorClass)]),
    ) as Record<KuzzleErrorClass, typeof KuzzleError>),
  });

/** A manifest's `errors` entry, as Kuzzle reads it. */
interface ManifestError {
  readonly code: number;
  readonly message: string;
  readonly class: string;
  readonly description?: string;
}

/**
 * The manifest's `errors` as the plugin's own errors under `subdomain`. Throws a plain Error naming the bad
 * entry; the caller turns it into a manifest error.
 */
export function manifestErrors(plugin: string, subdomain: number, raw: unknown): PluginErrors {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected an object');
  const specs: Record<string, PluginErrorSpec> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, Partial<ManifestError>>)) {
    const className = entry?.class;
    if (!isKuzzleErrorClass(className)) {
      throw new Error(
        `error "${name}": "class" must name one of Kuzzle's error classes, got ${String(className)}`,
      );
    }
    if (typeof entry.code !== 'number' || typeof entry.message !== 'string') {
      throw new Error(`error "${name}" needs a numeric "code" and a "message"`);
    }
    specs[name] = {
      code: entry.code,
      status: CLASSES[className].status,
      message: entry.message,
      ...(typeof entry.description === 'string' ? { description: entry.description } : {}),
    };
  }
  return definePluginErrors(plugin, subdomain, specs);
}

/** Fields a plugin may attach to one of its errors that its JSON form then carries (DESIGN: the reset token). */
const CARRIED_FIELDS = ['resetToken'] as const;

/**
 * `context.errorsManager` (and `context.kerror`): Kuzzle's `get(name, ...placeholders)`, `getFrom(source, name,
 * ...)` and `reject(name, ...)` over the plugin's own errors. An error's `resetToken`, set by the plugin after
 * creating it (as the local strategy does on `expired_password`), is returned in the error's JSON.
 */
export function errorsManagerFor(plugin: string, errors: PluginErrors | undefined) {
  const build = (name: unknown, placeholders: unknown[], cause?: unknown): TesseraError => {
    if (typeof name !== 'string' || !errors || !Object.hasOwn(errors.specs, name)) {
      return tesseraError(
        'plugin.kuzzle.unsupported',
        plugin,
        `an error its manifest does not declare ("${String(name)}")`,
      );
    }
    const details: Record<string, unknown> = {};
    const error = errors.wrap(name, placeholders, { cause, details });
    for (const field of CARRIED_FIELDS) {
      Object.defineProperty(error, field, {
        enumerable: true,
        get: () => details[field],
        set: (value: unknown) => {
          if (typeof value === 'string') details[field] = value;
        },
      });
    }
    return error;
  };
  return Object.freeze({
    get: (name: string, ...placeholders: unknown[]) => build(name, placeholders),
    getFrom: (source: unknown, name: string, ...placeholders: unknown[]) => build(name, placeholders, source),
    reject: (name: string, ...placeholders: unknown[]) => Promise.reject(build(name, placeholders)),
  });
}

function messageText(message: unknown): string {
  if (message instanceof Error) return message.message;
  return typeof message === 'string' ? message : String(message);
}
