/**
 * applyStandardRights: replaces the bootstrap's allow-everything roles with the standard set (reference §4.3,
 * Kuzzle's `security.standard`), for createFirstAdmin with `reset` and restrictDefaultRights.
 *
 * Beyond Kuzzle's set, on purpose:
 * - role `default` also gets what a logged-in user of this product needs for itself: refreshing its token
 *   (kuzzle-sdk refreshes on its own), managing its own credentials and API keys, checking its rights,
 *   one-off tokens, its sessions (`listMySessions`, `revokeMySession`), `server:now`/`healthCheck`/`openapi`
 *   (which anonymous callers have), and subscribing (`realtime:subscribe/unsubscribe/join/count`) to follow
 *   its own auth events on `%auth`. With Kuzzle's set alone, a user cannot even change their own password.
 * - role `anonymous` also gets `auth:getStrategies` (a login page lists the ways to log in) and `server:now`
 *   (clients measure their clock skew before trusting token expiry times).
 * `server:info`, `capabilities`, `getConfig` and `metrics` stay the administrators', as in Kuzzle.
 */
import type { ProfileContent, RoleContent } from '../model';
import type { Actor } from './security-collection';
import type { SecurityRepository } from './security-repository';

/** `{actions: {a: true, b: true, ...}}` */
function allow(...actions: string[]): RoleContent['controllers'][string] {
  return { actions: Object.fromEntries(actions.map((action) => [action, true])) };
}

export const STANDARD_ROLES: Readonly<Record<'admin' | 'default' | 'anonymous', RoleContent>> = {
  admin: { controllers: { '*': allow('*') } },
  default: {
    controllers: {
      auth: allow(
        // Kuzzle's
        'checkToken',
        'getCurrentUser',
        'getMyRights',
        'logout',
        'updateSelf',
        // ours
        'refreshToken',
        'getStrategies',
        'getMyCredentials',
        'credentialsExist',
        'updateMyCredentials',
        'validateMyCredentials',
        'createMyCredentials',
        'deleteMyCredentials',
        'createApiKey',
        'searchApiKeys',
        'deleteApiKey',
        'checkRights',
        'createToken',
        'listMySessions',
        'revokeMySession',
      ),
      server: allow('publicApi', 'openapi', 'now', 'healthCheck'),
      // Subscribing, so a user can follow their own auth events on `%auth` (the server filters them).
      realtime: allow('subscribe', 'unsubscribe', 'join', 'count'),
    },
  },
  anonymous: {
    controllers: {
      auth: allow('checkToken', 'getCurrentUser', 'getMyRights', 'login', 'getStrategies'),
      server: allow('publicApi', 'openapi', 'now'),
    },
  },
};

export const STANDARD_PROFILES: Readonly<Record<'admin' | 'default' | 'anonymous', ProfileContent>> = {
  admin: { policies: [{ roleId: 'admin' }], rateLimit: 0 },
  default: { policies: [{ roleId: 'default' }], rateLimit: 10 },
  anonymous: { policies: [{ roleId: 'anonymous' }], rateLimit: 200 },
};

export async function applyStandardRights(repo: SecurityRepository, actor: Actor): Promise<void> {
  // The standard set names actions of controllers that may not be registered yet: no registry check.
  for (const [id, role] of Object.entries(STANDARD_ROLES)) {
    await repo.roles.createOrReplace(id, role, actor, { skipRegistryCheck: true });
  }
  for (const [id, profile] of Object.entries(STANDARD_PROFILES)) {
    await repo.profiles.createOrReplace(id, profile, actor);
  }
}
