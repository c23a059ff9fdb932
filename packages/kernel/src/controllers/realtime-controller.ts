/**
 * The `realtime` controller: Kuzzle's subscribe, join, unsubscribe, count, list and publish, over the
 * RealtimeHub.
 *
 * subscribe, join and unsubscribe need a connection the server can push to (WebSocket): over HTTP (`/_query`)
 * or from inside the server they answer `api.process.realtime_connection_required`, and they have no HTTP
 * route, so kuzzle-sdk's Http protocol says `No URL found` as it does with Kuzzle. count, list and publish work
 * over any protocol; only list and publish have Kuzzle's HTTP routes. On a reserved index (`%auth`), count, list
 * and join show the caller only the listeners its audience rule lets it know of.
 */
import type { JsonObject, RequestUser } from '@tessera/plugin-sdk';
import { tesseraError } from '@tessera/plugin-sdk';
import { arg, type ArgSpec } from '../api/args';
import { defineAction, type ActionDefinition } from '../api/action-registry';
import type { Request } from '../api/request';
import type { RightsEvaluator } from '../security/accounts';
import { ANONYMOUS_KUID } from '../security/model';
import { CHANNEL_OPTIONS, type Caller, type ChannelOption, type RealtimeHub } from '../realtime/realtime-hub';

export interface RealtimeControllerDeps {
  readonly hub: RealtimeHub;
  /** For `list`: a caller sees the rooms of the collections it may subscribe to, as in Kuzzle. */
  readonly accounts: { rightsFor(user: RequestUser): Promise<Pick<RightsEvaluator, 'isActionAllowed'>> };
}

const ANONYMOUS: RequestUser = { _id: ANONYMOUS_KUID, profileIds: ['anonymous'] };

/** `scope` and `users`: one of Kuzzle's four values, each refused with Kuzzle's own error. */
function channelOption(error: 'core.realtime.invalid_scope' | 'core.realtime.invalid_users') {
  const spec: ArgSpec<ChannelOption> & { required: false } = {
    type: CHANNEL_OPTIONS.map((option) => `"${option}"`).join(' | '),
    required: false,
    parse(value) {
      const option = CHANNEL_OPTIONS.find((known) => known === value);
      if (option === undefined) throw tesseraError(error);
      return option;
    },
  };
  return spec;
}

const channelArgs = {
  scope: channelOption('core.realtime.invalid_scope'),
  users: channelOption('core.realtime.invalid_users'),
};
const collectionArgs = {
  index: arg.string({ required: true }),
  collection: arg.string({ required: true }),
};

export function realtimeController({
  hub,
  accounts,
}: RealtimeControllerDeps): Record<string, ActionDefinition> {
  return {
    subscribe: defineAction({
      args: { ...collectionArgs, ...channelArgs },
      handler: (request, { index, collection, scope, users }) =>
        hub.subscribe(caller(request), index, collection, request.input.body ?? {}, { scope, users }),
    }),

    join: defineAction({
      args: channelArgs,
      handler: (request, { scope, users }) => hub.join(caller(request), roomIdOf(request), { scope, users }),
    }),

    unsubscribe: defineAction({
      handler: (request) => hub.unsubscribe(request.connection, roomIdOf(request)),
    }),

    count: defineAction({
      handler: async (request) => ({ count: await hub.count(caller(request), roomIdOf(request)) }),
    }),

    list: defineAction({
      http: [{ verb: 'GET', path: '/_listSubscriptions' }],
      handler: async (request) => {
        const rights = await accounts.rightsFor(request.user ?? ANONYMOUS);
        return hub.list(caller(request), (index, collection) =>
          rights.isActionAllowed({ controller: 'realtime', action: 'subscribe', index, collection }),
        );
      },
    }),

    publish: defineAction({
      args: { ...collectionArgs, _id: arg.string() },
      body: 'required',
      http: [{ verb: 'POST', path: '/:index/:collection/_publish' }],
      handler: async (request, { index, collection, _id }) => {
        await hub.publish(caller(request), index, collection, request.input.body as JsonObject, _id);
        return { published: true };
      },
    }),
  };
}

function caller(request: Request): Caller {
  return {
    requestId: request.id,
    connection: request.connection,
    user: request.user ?? ANONYMOUS,
    volatile: request.input.volatile,
  };
}

function roomIdOf(request: Request): string {
  const roomId = request.input.body?.roomId;
  if (roomId === undefined || roomId === null)
    throw tesseraError('api.assert.missing_argument', 'body.roomId');
  if (typeof roomId !== 'string') throw tesseraError('api.assert.invalid_type', 'body.roomId', 'string');
  return roomId;
}
