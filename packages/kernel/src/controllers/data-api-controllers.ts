/**
 * Kuzzle's data API (`index`, `collection`, `document`, `bulk`, `ms`), as far as this server has it: it keeps no
 * data indexes, so `index:list` answers none and `collection:list` no stored collection (only the realtime
 * ones: collections someone is subscribed to, as Kuzzle lists them too). Clients that start there, such as
 * Kuzzle's admin console, get the truth instead of an error. Every other action of these controllers is
 * refused with `api.process.data_api_not_served` (refuseDataApi), which says why, not "not found".
 */
import { tesseraError, type RequestUser } from '@tessera/plugin-sdk';
import { arg } from '../api/args';
import { defineAction, type ActionDefinition, type ActionRegistry } from '../api/action-registry';
import type { RealtimeHub } from '../realtime/realtime-hub';
import type { RightsEvaluator } from '../security/accounts';
import { KUZZLE_ACTIONS } from '../security/accounts/kuzzle-actions';
import { ANONYMOUS_KUID } from '../security/model';

/** The controllers of Kuzzle's data API. */
const DATA_API_CONTROLLERS = ['index', 'collection', 'document', 'bulk', 'ms'] as const;

/** Makes every action of Kuzzle's data API that is not registered answer why it is not served. */
export function refuseDataApi(registry: ActionRegistry): void {
  for (const controller of DATA_API_CONTROLLERS) {
    registry.refuse(controller, KUZZLE_ACTIONS.get(controller) ?? [], (action) =>
      tesseraError('api.process.data_api_not_served', controller, action),
    );
  }
}

export interface DataApiDeps {
  readonly hub: RealtimeHub;
  /** Realtime collections are listed to those who may subscribe to them, as realtime:list does. */
  readonly accounts: { rightsFor(user: RequestUser): Promise<Pick<RightsEvaluator, 'isActionAllowed'>> };
}

const ANONYMOUS: RequestUser = { _id: ANONYMOUS_KUID, profileIds: ['anonymous'] };
const COLLECTION_TYPES = ['all', 'stored', 'realtime'] as const;

export function indexController(): Record<string, ActionDefinition> {
  return {
    list: defineAction({
      args: { countCollection: arg.boolean() },
      http: [{ verb: 'GET', path: '/_list' }],
      // With countCollection, Kuzzle adds {collections: {<index>: <count>}}: empty here too.
      handler: (_request, { countCollection }) =>
        countCollection === true ? { indexes: [], collections: {} } : { indexes: [] },
    }),
  };
}

export function collectionController({ hub, accounts }: DataApiDeps): Record<string, ActionDefinition> {
  return {
    list: defineAction({
      args: {
        index: arg.string({ required: true }),
        from: arg.integer(),
        size: arg.integer(),
        type: arg.string(),
      },
      http: [{ verb: 'GET', path: '/:index/_list' }],
      handler: async (request, { index, from, size, type = 'all' }) => {
        const kind = COLLECTION_TYPES.find((known) => known === type);
        if (kind === undefined) {
          throw tesseraError('api.assert.invalid_argument', 'type', '"all", "stored", "realtime"');
        }
        const user = request.user ?? ANONYMOUS;
        const rights = await accounts.rightsFor(user);
        const rooms =
          kind === 'stored'
            ? {}
            : await hub.list({ user, connection: request.connection }, (roomIndex, collection) =>
                rights.isActionAllowed({
                  controller: 'realtime',
                  action: 'subscribe',
                  index: roomIndex,
                  collection,
                }),
              );
        const collections = Object.keys(rooms[index] ?? {})
          .sort()
          .map((name) => ({ name, type: 'realtime' }));
        return paginate({ type: kind, collections }, from, size);
      },
    }),
  };
}

/** Kuzzle's paging of collection:list: only when from or size is given (and not 0), then echoed back. */
function paginate(
  response: { type: string; collections: { name: string; type: string }[] },
  from: number | undefined,
  size: number | undefined,
) {
  if (!from && !size) return response;
  const start = from ?? 0;
  const collections = size
    ? response.collections.slice(start, start + size)
    : response.collections.slice(start);
  return { ...response, collections, from: start, ...(size ? { size } : {}) };
}
