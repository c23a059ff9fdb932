/**
 * The security model as stored in the kernel namespace: users, profiles, roles (Kuzzle's shapes), and the
 * records of issued tokens and API keys. Credentials are not here: strategies own them.
 */
import type { JsonObject } from '@tessera/plugin-sdk';

/** Who made and last changed a document. `author` (Kuzzle's name) and `creator` (ours) are the same kuid. */
export interface KuzzleInfo {
  author: string | null;
  creator: string | null;
  createdAt: number;
  updater: string | null;
  updatedAt: number | null;
}

export interface UserContent extends JsonObject {
  profileIds: string[];
}

export interface RoleContent extends JsonObject {
  /** `<controller>|"*"` -> `{actions: {<action>|"*": boolean}}` */
  controllers: { [controller: string]: { actions: { [action: string]: boolean } } };
}

// Intersections rather than interfaces: an interface extending JsonObject cannot declare optional members.
export type PolicyRestriction = JsonObject & {
  index: string;
  /** Absent: every collection of `index`. */
  collections?: string[];
};

export type Policy = JsonObject & {
  roleId: string;
  /** Absent: the role applies to every index. */
  restrictedTo?: PolicyRestriction[];
};

export type ProfileContent = JsonObject & {
  policies: Policy[];
  /** Requests per second per user; 0 or absent means unlimited. */
  rateLimit?: number;
};

/** A security document as the API returns it. */
export interface SecurityDocument<T extends JsonObject> {
  _id: string;
  _source: T & { _kuzzle_info: KuzzleInfo };
}

export const ANONYMOUS_KUID = '-1';

/** The in-memory anonymous user; never stored. */
export const ANONYMOUS_USER: SecurityDocument<UserContent> = Object.freeze({
  _id: ANONYMOUS_KUID,
  _source: {
    name: 'Anonymous',
    profileIds: ['anonymous'],
    _kuzzle_info: { author: null, creator: null, createdAt: 0, updater: null, updatedAt: null },
  },
});

/** Roles and profiles that cannot be deleted. */
export const PROTECTED_IDS: ReadonlySet<string> = new Set(['admin', 'default', 'anonymous']);
