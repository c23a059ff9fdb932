/**
 * What one audit event holds, and how it is read off what happened: a kernel event on the bus (logins, logouts,
 * revoked tokens, users and credentials created or deleted, whoever did it: the kernel or a strategy plugin),
 * or a security request that succeeded (profiles, roles, user updates, API keys, mappings, unlocks), which the
 * bus does not announce.
 *
 * An event copies named scalar fields only, never a request body or a whole payload, so no password, token or
 * hash can reach it: a token is named by its `sessionId`, which reveals nothing of it.
 */
import type { ApiRequest, JsonObject, KernelEvents } from '@tessera/plugin-sdk';

export interface AuditEvent {
  /** `domain:entity[:verb]`: the bus event's name, or the one of the table below for a request. */
  event: string;
  /** Epoch ms. */
  at: number;
  /** The user the event is about; null when unknown (a failed login). */
  kuid: string | null;
  /**
   * Who did it: the caller's kuid (an administrator revoking a user's tokens is the author of each revocation);
   * null when the server acted on its own (a reused refreshed token revoking its chain).
   */
  author: string | null;
  /** The client address, when it came from a client. */
  ip?: string;
  connectionId?: string;
  strategy?: string;
  /** Names a token without revealing it. */
  sessionId?: string;
  /** Why: the revocation reason, the message of a failed login. */
  reason?: string;
  /** What was acted upon besides a user: a profile, a role, an API key, a username, a mapping's collection. */
  target?: string;
  /** `controller:action` of the request that did it. */
  action?: string;
  /** The profiles a user write set. */
  profileIds?: string[];
}

/** The kernel events recorded as they are. */
export const RECORDED_BUS_EVENTS = [
  'auth:login',
  'auth:loginFailed',
  'auth:logout',
  'token:revoked',
  'user:created',
  'user:deleted',
  'credentials:created',
  'credentials:updated',
  'credentials:deleted',
] as const satisfies readonly (keyof KernelEvents)[];

export type RecordedBusEvent = (typeof RECORDED_BUS_EVENTS)[number];

/** The scalar fields a bus payload may lend its event; everything else of it is left out. */
const BUS_FIELDS = ['kuid', 'author', 'ip', 'connectionId', 'strategy', 'sessionId', 'reason'] as const;

export function fromBusEvent(
  event: RecordedBusEvent,
  payload: KernelEvents[RecordedBusEvent],
  at: number,
): AuditEvent {
  const source = payload as Partial<Record<(typeof BUS_FIELDS)[number], unknown>>;
  const recorded: AuditEvent = { event, at, kuid: null, author: null };
  for (const field of BUS_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') recorded[field] = value;
  }
  // Logging in or out is the user's own doing.
  if (event === 'auth:login' || event === 'auth:logout') recorded.author = recorded.kuid;
  return recorded;
}

/** How a successful request becomes events: their name, whom they concern, and what was acted upon. */
interface RequestRecipe {
  event: string;
  /** The user concerned: an argument's value, or the caller (`self`). */
  kuid?: '_id' | 'userId' | 'self';
  /**
   * Where the target is read: an argument, the ids an m* delete answers (one event each), the id a creation
   * answers, or a fixed name.
   */
  target?: '_id' | 'username' | 'ids' | 'result._id' | { name: string };
  profileIds?: boolean;
}

/** Security writes the bus does not announce. Users created or deleted and credentials come from the bus. */
export const RECORDED_REQUESTS: Readonly<Record<string, RequestRecipe>> = {
  'security:updateUser': { event: 'user:updated', kuid: '_id', profileIds: true },
  'security:replaceUser': { event: 'user:replaced', kuid: '_id', profileIds: true },
  'security:upsertUser': { event: 'user:upserted', kuid: '_id', profileIds: true },
  'auth:updateSelf': { event: 'user:updated', kuid: 'self' },
  'security:revokeTokens': { event: 'user:tokensRevoked', kuid: '_id' },
  'security:revokeUserSession': { event: 'session:revoked', kuid: 'userId', target: '_id' },
  'auth:revokeMySession': { event: 'session:revoked', kuid: 'self', target: '_id' },
  'security:unlockLogins': { event: 'login:unlocked', target: 'username' },
  'security:createApiKey': { event: 'apiKey:created', kuid: 'userId', target: 'result._id' },
  'auth:createApiKey': { event: 'apiKey:created', kuid: 'self', target: 'result._id' },
  'security:deleteApiKey': { event: 'apiKey:deleted', kuid: 'userId', target: '_id' },
  'auth:deleteApiKey': { event: 'apiKey:deleted', kuid: 'self', target: '_id' },
  'security:createProfile': { event: 'profile:created', target: '_id' },
  'security:createOrReplaceProfile': { event: 'profile:replaced', target: '_id' },
  'security:updateProfile': { event: 'profile:updated', target: '_id' },
  'security:deleteProfile': { event: 'profile:deleted', target: '_id' },
  'security:mDeleteProfiles': { event: 'profile:deleted', target: 'ids' },
  'security:createRole': { event: 'role:created', target: '_id' },
  'security:createOrReplaceRole': { event: 'role:replaced', target: '_id' },
  'security:updateRole': { event: 'role:updated', target: '_id' },
  'security:deleteRole': { event: 'role:deleted', target: '_id' },
  'security:mDeleteRoles': { event: 'role:deleted', target: 'ids' },
  'security:restrictDefaultRights': { event: 'rights:restricted' },
  'security:updateUserMapping': { event: 'mapping:updated', target: { name: 'users' } },
  'security:updateProfileMapping': { event: 'mapping:updated', target: { name: 'profiles' } },
  'security:updateRoleMapping': { event: 'mapping:updated', target: { name: 'roles' } },
};

/** The events a successful request adds to the trail; none for a request that is not a security write. */
export function fromRequest(request: ApiRequest, at: number): AuditEvent[] {
  const action = `${request.input.controller}:${request.input.action}`;
  const recipe = RECORDED_REQUESTS[action];
  if (recipe === undefined || request.error !== null) return [];
  const author = request.user?._id ?? null;
  const { args } = request.input;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

  const base: AuditEvent = { event: recipe.event, at, kuid: null, author, action };
  if (recipe.kuid === 'self') base.kuid = author;
  else if (recipe.kuid !== undefined) base.kuid = text(args[recipe.kuid]) ?? null;
  if (request.connection.address !== null) base.ip = request.connection.address;
  if (request.connection.protocol === 'websocket') base.connectionId = request.connection.id;
  if (recipe.profileIds) {
    const profileIds = profileIdsOf(request.input.body);
    if (profileIds !== undefined) base.profileIds = profileIds;
  }

  switch (recipe.target) {
    case undefined:
      return [base];
    case 'ids':
      // The m* deletes answer the ids they deleted; a partial failure is an error, with nothing recorded here.
      return stringsOf(request.result).map((target) => ({ ...base, target }));
    case 'result._id': {
      const target = text((request.result as { _id?: unknown } | null)?._id);
      return [target === undefined ? base : { ...base, target }];
    }
    case '_id':
    case 'username': {
      const target = text(args[recipe.target]);
      return [target === undefined ? base : { ...base, target }];
    }
    default:
      return [{ ...base, target: recipe.target.name }];
  }
}

function profileIdsOf(body: JsonObject | null): string[] | undefined {
  const value = body?.profileIds ?? (body?.content as JsonObject | undefined)?.profileIds;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
