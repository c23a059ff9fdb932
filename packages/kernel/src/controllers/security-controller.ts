/**
 * The `security` controller: administrators' management of users, credentials, profiles, roles, API keys and
 * sessions, in Kuzzle's actions, routes and result shapes (reference §3). Each concern lives in its own file
 * under `security/`; this one assembles them. Every write is made in the caller's name.
 */
import { defineAction, type ActionDefinition } from '../api/action-registry';
import type { SecurityServices } from '../security/security-services';
import { apiKeyAndSessionActions } from './security/api-key-and-session-actions';
import { credentialActions } from './security/credential-actions';
import { mappingActions } from './security/mapping-actions';
import { profileAndRoleActions } from './security/profile-and-role-actions';
import { userActions } from './security/user-actions';

export function securityController(services: SecurityServices): Record<string, ActionDefinition> {
  return {
    // First: their routes (`GET /users/_mapping`) are also matched by `GET /users/:_id`, which would take them.
    ...mappingActions(services),
    ...userActions(services),
    ...credentialActions(services),
    ...profileAndRoleActions(services),
    ...apiKeyAndSessionActions(services),
  };
}

/** `server:adminExists`: whether some user has the `admin` profile, which createFirstAdmin needs to know first. */
export function adminExistsAction(services: SecurityServices): ActionDefinition {
  return defineAction({
    http: [{ verb: 'GET', path: '/_adminExists' }],
    handler: async () => ({ exists: await services.accounts.adminExists() }),
  });
}
