/**
 * What the security controller's actions share: reading their bodies, the paging of their searches, the
 * m* deletes with Kuzzle's partial error, and the stored-user check of actions that write for a user.
 */
import {
  TesseraError,
  isTesseraError,
  tesseraError,
  type JsonObject,
  type JsonValue,
  type Logger,
  type SearchOptions,
  type SearchResult,
  type SerializedError,
} from '@tessera/plugin-sdk';
import { arg, type ArgsOf } from '../../api/args';
import type { Request } from '../../api/request';
import { requestLog } from '../../logging/request-log';
import type { SecurityRepository } from '../../security/accounts';
import { ANONYMOUS_KUID, type SecurityDocument, type UserContent } from '../../security/model';
import { DEFAULT_SEARCH_LIMITS } from '@tessera/store';
import { searchLang } from '../auth-controller';

/** Every write is made in the caller's name, as user creation does it. */
export { authorOf } from '../../security/user-creation';

/** The request body; `api.assert.body_required` without one. */
export function bodyOf(request: Request): JsonObject {
  const { body } = request.input;
  if (body === null) throw tesseraError('api.assert.body_required');
  return body;
}

/** A body field that must be an object. */
export function objectAt(value: JsonValue | undefined, path: string): JsonObject {
  if (value === undefined || value === null) throw tesseraError('api.assert.missing_argument', path);
  if (typeof value !== 'object' || Array.isArray(value))
    throw tesseraError('api.assert.invalid_type', path, 'object');
  return value;
}

/** A body field that, when present, must be an object; `{}` when absent. */
export function optionalObjectAt(value: JsonValue | undefined, path: string): JsonObject {
  return value === undefined || value === null ? {} : objectAt(value, path);
}

/** A body field that must be an array of strings (possibly empty). */
export function stringsAt(value: JsonValue | undefined, path: string): string[] {
  if (value === undefined || value === null) throw tesseraError('api.assert.missing_argument', path);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw tesseraError('api.assert.invalid_type', path, 'string[]');
  }
  return value;
}

/** `body.ids`: the list every m* action takes. */
export function idsOf(request: Request): string[] {
  return stringsAt(bodyOf(request).ids, 'body.ids');
}

/** The arguments of the security searches. */
export const searchArgs = {
  from: arg.integer(),
  size: arg.integer(),
  lang: arg.string(),
  scroll: arg.string(),
};

/**
 * Kuzzle's default page of the user, profile and role searches is its whole fetch limit
 * (`limits.documentsFetchCount`): a client that sends no `size` expects every match.
 */
export const SECURITY_SEARCH_SIZE = DEFAULT_SEARCH_LIMITS.maxSize;

/** from/size paging; a `scroll` is refused (there are no scroll cursors), with what to do instead. */
export function pageOf(
  { from, size, lang, scroll }: ArgsOf<typeof searchArgs>,
  defaultSize?: number,
): SearchOptions {
  if (scroll !== undefined) {
    throw tesseraError(
      'api.assert.invalid_argument',
      'scroll',
      'no scroll: page with "from" and "size" instead',
    );
  }
  return { from, size: size ?? defaultSize, lang: searchLang(lang) };
}

const SCAN_PAGE_SIZE = 1000;

/**
 * The page `options` asks for of the documents `search` reaches that `keep` accepts, and their true total: for
 * Kuzzle's search filters the store cannot express (a field inside an array of objects, an object's keys).
 * It reads every document, which suits roles and profiles: there are few of them.
 */
export async function searchKept<T extends object>(
  search: (options: SearchOptions) => Promise<SearchResult<T>>,
  keep: (source: T) => boolean,
  { from = 0, size = SECURITY_SEARCH_SIZE }: SearchOptions,
): Promise<SearchResult<T>> {
  const kept: SearchResult<T>['hits'] = [];
  for (let offset = 0; ; offset += SCAN_PAGE_SIZE) {
    const { hits } = await search({ from: offset, size: SCAN_PAGE_SIZE });
    kept.push(...hits.filter((hit) => keep(hit._source)));
    if (hits.length < SCAN_PAGE_SIZE) break;
  }
  return { hits: kept.slice(from, from + size), total: kept.length };
}

/** Kuzzle's `limits.documentsWriteCount`: the most ids one m* delete may name. */
export const WRITE_LIMIT = 200;

/**
 * Deletes each id in turn and returns the deleted ones. When some fail, the others stay deleted and the answer
 * is Kuzzle's partial error (`services.storage.incomplete_delete`, 206), whose `errors` say why each failed
 * and whose `deleted` lists what was done.
 */
export async function deleteEach(
  request: Request,
  log: Logger,
  ids: readonly string[],
  remove: (id: string) => Promise<unknown>,
): Promise<string[]> {
  if (ids.length > WRITE_LIMIT) throw tesseraError('services.storage.write_limit_exceeded');
  const deleted: string[] = [];
  const errors: { _id: string; error: SerializedError }[] = [];
  for (const id of ids) {
    try {
      await remove(id);
      deleted.push(id);
    } catch (error) {
      errors.push({ _id: id, error: reportable(request, log, error).toJSON() });
    }
  }
  if (errors.length === 0) return deleted;
  const failed = errors.map(({ _id }) => _id).join(', ');
  throw new TesseraError('services.storage.incomplete_delete', [failed], {
    details: { errors, count: errors.length, deleted },
  });
}

/** A catalog error as it is; anything else is logged and answered as the unexpected error it is. */
function reportable(request: Request, log: Logger, error: unknown): TesseraError {
  if (isTesseraError(error)) return error;
  requestLog(log, request).error('request failed', {
    controller: request.input.controller,
    action: request.input.action,
    error,
  });
  return new TesseraError('core.runtime.unexpected_error', [request.id], { cause: error });
}

/**
 * The stored user `kuid`, for actions that write for a user (credentials, API keys, deletion):
 * `security.user.not_found` when there is none; the built-in anonymous user, which has no document,
 * credentials or keys, is refused.
 */
export async function storedUser(
  accounts: SecurityRepository,
  kuid: string,
  argument = '_id',
): Promise<SecurityDocument<UserContent>> {
  const user = await accounts.users.get(kuid);
  if (user._id === ANONYMOUS_KUID) {
    throw tesseraError(
      'api.assert.invalid_argument',
      argument,
      'a kuid other than "-1" and "anonymous" (built in)',
    );
  }
  return user;
}

/** Whether `error` is the catalog error `id`. */
export function isError(error: unknown, id: TesseraError['id']): boolean {
  return isTesseraError(error) && error.id === id;
}
