/**
 * The auth events channel: the kernel's auth lifecycle events, published as realtime documents on index `%auth`,
 * collection `events`, where clients subscribe with Koncorde filters like on any collection.
 *
 * Each event is a Kuzzle document notification (`controller: "realtime"`, `action: "publish"`, `scope: "in"`)
 * whose `result._source` is `{event, kuid, strategy?, sessionId?, connectionId?, ip?, at}`: `event` is the bus
 * event's name, `kuid` the user it concerns (null for `auth:loginFailed`, whose user is unknown), `sessionId`
 * names a token without revealing it, `at` is epoch ms.
 *
 * Who receives what, enforced by the server whatever the filter says:
 * - a user receives only the events whose `kuid` is their own;
 * - a user holding the `admin` profile receives every event, `auth:loginFailed` included;
 * - identity is the one the subscription was made with: a connection that logs in as someone else should
 *   subscribe again.
 * Nobody may publish on `%auth` (`api.process.reserved_channel`), and no user notification is sent there.
 */
import type { EventBus, JsonObject, KernelEvents, RequestUser, Unsubscribe } from '@tessera/plugin-sdk';
import type { RealtimeHub } from './realtime-hub';

export const AUTH_EVENTS_INDEX = '%auth';
export const AUTH_EVENTS_COLLECTION = 'events';

export const AUTH_EVENTS = [
  'auth:login',
  'auth:loginFailed',
  'auth:logout',
  'token:expiring',
  'token:expired',
  'token:revoked',
  'token:refreshed',
  'credentials:created',
  'credentials:updated',
  'credentials:deleted',
  'user:created',
  'user:deleted',
] as const satisfies readonly (keyof KernelEvents)[];

export type AuthEventName = (typeof AUTH_EVENTS)[number];

/** The payload fields an event document copies, when the event has them. */
const COPIED_FIELDS = ['strategy', 'sessionId', 'connectionId', 'ip'] as const;

type AuthEventFields = Partial<Record<'kuid' | (typeof COPIED_FIELDS)[number], string>>;

/** Admins see every event; anybody else, only the events about themselves. */
export function mayReceiveAuthEvent(viewer: RequestUser, source: JsonObject): boolean {
  return viewer.profileIds.includes('admin') || source.kuid === viewer._id;
}

/** The `_source` of the document announcing `event`. */
export function authEventDocument(event: AuthEventName, payload: AuthEventFields, at: number): JsonObject {
  const source: JsonObject = { event, kuid: payload.kuid ?? null };
  for (const field of COPIED_FIELDS) {
    const value = payload[field];
    if (value !== undefined) source[field] = value;
  }
  source.at = at;
  return source;
}

/** Reserves `%auth` on the hub and announces each auth event there. Returns what undoes both. */
export function attachAuthEventsChannel(hub: RealtimeHub, bus: EventBus): Unsubscribe {
  const release = hub.reserve(AUTH_EVENTS_INDEX, mayReceiveAuthEvent);
  const unhooks = AUTH_EVENTS.map((event) =>
    bus.hook(event, (payload: AuthEventFields) =>
      hub.announce(AUTH_EVENTS_INDEX, AUTH_EVENTS_COLLECTION, authEventDocument(event, payload, Date.now())),
    ),
  );
  return () => {
    for (const unhook of unhooks) unhook();
    release();
  };
}
