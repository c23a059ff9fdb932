/**
 * The auth events channel: the kernel's auth lifecycle events, published as realtime documents on index `%auth`,
 * collection `events`, where clients subscribe with Koncorde filters like on any collection.
 *
 * Each event is a Kuzzle document notification (`controller: "realtime"`, `action: "publish"`, `scope: "in"`)
 * whose `result._source` is `{event, kuid, strategy?, sessionId?, connectionId?, ip?, at}`: `event` is the bus
 * event's name, `kuid` the user it concerns (null for `auth:loginFailed`, whose user is unknown), `sessionId`
 * names a token without revealing it, `at` is epoch ms.
 *
 * Who receives what, enforced by the server whatever the filter says, and judged at each delivery against who
 * the connection is at that moment (the user of the token linked to it, or anonymous), with the rights of now:
 * - a connection whose user holds the right `security:watchAllAuthEvents` (`AUTH_EVENTS_RIGHT`, granted in a role
 *   like an action's; the standard `admin` role has it through `*`) receives every event, `auth:loginFailed`
 *   included;
 * - any other connection receives only the events whose `kuid` is its user's; an anonymous one, none.
 * So a logout on the socket, a login or refresh there as someone else, the end of its token, or a change of the
 * user's profiles or of those profiles and roles applies to the next event. `count`, `list` and `join` on a
 * `%auth` room likewise show a caller without the right only their own listeners (`visibleTo`).
 * Nobody may publish on `%auth` (`api.process.reserved_channel`), and no user notification is sent there.
 *
 * Delivery stays cheap with many subscribers: who a connection is comes from the token links (a map), its user
 * from the accounts' cache (`peek`, no store read), and the verdict of a set of profiles is remembered until a
 * profile or a role is written. Only what is not in memory is looked up, before the delivery goes out.
 */
import type { EventBus, JsonObject, KernelEvents, RequestUser, Unsubscribe } from '@tessera/plugin-sdk';
import type { RightsEvaluator, UserRepository } from '../security/accounts';
import { ANONYMOUS_KUID, type SecurityDocument, type UserContent } from '../security/model';
import type { Audience, Caller, RealtimeHub } from './realtime-hub';

export const AUTH_EVENTS_INDEX = '%auth';
export const AUTH_EVENTS_COLLECTION = 'events';
/** The right to receive every user's auth events: a right a role grants, not an action anyone calls. */
export const AUTH_EVENTS_RIGHT = { controller: 'security', action: 'watchAllAuthEvents' } as const;

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

/** Checked like a subscription to the channel, so a policy's `restrictedTo` applies to the right too. */
const RIGHT_TARGET = { ...AUTH_EVENTS_RIGHT, index: AUTH_EVENTS_INDEX, collection: AUTH_EVENTS_COLLECTION };

/** What the audience reads of the accounts. */
export interface AuthEventsAccounts {
  readonly users: Pick<UserRepository, 'find' | 'peek'>;
  /** Changes whenever a profile or a role is written. */
  readonly rightsRevision: number;
  rightsFor(user: Pick<RequestUser, 'profileIds'>): Promise<Pick<RightsEvaluator, 'isActionAllowed'>>;
}

export interface AuthEventsAudienceOptions {
  /** Who the connection is now: the kuid of its linked token's user, or the anonymous kuid. */
  readonly kuidOf: (connectionId: string) => string;
  readonly accounts: AuthEventsAccounts;
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

/** Who hears what on `%auth`, as the module header says. */
export function createAuthEventsAudience({ kuidOf, accounts }: AuthEventsAudienceOptions): Audience {
  /** Whether a set of profiles holds the right, by profile set; valid for one rights revision. */
  let verdicts = new Map<string, boolean>();
  let revision = accounts.rightsRevision;
  const currentVerdicts = (): Map<string, boolean> => {
    if (accounts.rightsRevision !== revision) {
      verdicts = new Map();
      revision = accounts.rightsRevision;
    }
    return verdicts;
  };
  /** Cached user documents are frozen and replaced on write: their key is computed once. */
  const keys = new WeakMap<SecurityDocument<UserContent>, string>();
  const keyOf = (user: SecurityDocument<UserContent>): string => {
    let key = keys.get(user);
    if (key === undefined) keys.set(user, (key = profilesKey(user._source.profileIds)));
    return key;
  };

  const holdsRight = async (profileIds: readonly string[]): Promise<boolean> => {
    const key = profilesKey(profileIds);
    const known = currentVerdicts().get(key);
    if (known !== undefined) return known;
    const readAt = accounts.rightsRevision;
    const held = (await accounts.rightsFor({ profileIds })).isActionAllowed(RIGHT_TARGET);
    // A profile or role written meanwhile may have changed the answer: keep it only if nothing was.
    if (accounts.rightsRevision === readAt) currentVerdicts().set(key, held);
    return held;
  };

  return {
    admits(connectionId, source) {
      const kuid = kuidOf(connectionId);
      if (kuid !== ANONYMOUS_KUID && source.kuid === kuid) return true;
      const user = accounts.users.peek(kuid);
      return user === undefined ? undefined : currentVerdicts().get(keyOf(user));
    },

    async prepare(connectionIds) {
      const kuids = new Set([...connectionIds].map(kuidOf));
      await Promise.all(
        [...kuids].map(async (kuid) => {
          // A user that no longer exists stays unknown: `admits` then refuses it.
          const user = await accounts.users.find(kuid);
          if (user !== null) await holdsRight(user._source.profileIds);
        }),
      );
    },

    async visibleTo({ user, connection }: Pick<Caller, 'user' | 'connection'>) {
      if (await holdsRight(user.profileIds)) return () => true;
      // Anonymous callers are not one person: each sees only its own connection.
      if (user._id === ANONYMOUS_KUID) return (connectionId) => connectionId === connection.id;
      return (connectionId) => kuidOf(connectionId) === user._id;
    },
  };
}

/** Reserves `%auth` on the hub for `audience` and announces each auth event there. Returns what undoes both. */
export function attachAuthEventsChannel(hub: RealtimeHub, bus: EventBus, audience: Audience): Unsubscribe {
  const release = hub.reserve(AUTH_EVENTS_INDEX, audience);
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

function profilesKey(profileIds: readonly string[]): string {
  return JSON.stringify(profileIds);
}
