/**
 * `security:searchAuditEvents`: the audit trail's events matching a search body, in the query model of the other
 * searches (`{query, sort, search_after}`, Elasticsearch's subset or Koncorde's with `lang`), newest first unless
 * the body sorts. Rights decide who may call it: the standard `admin` role may, `default` may not.
 */
import { arg, defineAction, type ActionDefinition } from '@tessera/kernel';
import { tesseraError, type DocumentCollection, type JsonObject, type SearchBody } from '@tessera/plugin-sdk';
import type { AuditEvent } from './audit-event';

/** The page a search answers when it names no `size`, as Kuzzle's document searches. */
export const AUDIT_SEARCH_SIZE = 10;

export function searchAuditEventsAction(
  events: () => DocumentCollection<AuditEvent> | null,
): ActionDefinition {
  return defineAction({
    args: { from: arg.integer(), size: arg.integer(), lang: arg.string() },
    http: [{ verb: 'POST', path: '/audit-events/_search' }],
    errors: [
      'api.assert.invalid_argument',
      'services.storage.invalid_search_query',
      'services.storage.unknown_query_keyword',
    ],
    handler: async (request, { from, size, lang }) => {
      const collection = events();
      if (collection === null) throw new Error('the audit trail was searched before it started');
      if (lang !== undefined && lang !== 'elasticsearch' && lang !== 'koncorde') {
        throw tesseraError('api.assert.invalid_argument', 'lang', '"elasticsearch" or "koncorde"');
      }
      const body: JsonObject = request.input.body ?? {};
      const search: SearchBody = { ...body, sort: body.sort ?? [{ at: 'desc' }] } as SearchBody;
      return collection.search(search, { from, size: size ?? AUDIT_SEARCH_SIZE, lang });
    },
  });
}
