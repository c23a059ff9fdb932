/**
 * The security controller's mapping actions (`getUserMapping`, `updateUserMapping`, and the profile and role
 * ones): Kuzzle's routes, arguments and results, over SecurityMappings.
 */
import { defineAction, type ActionDefinition } from '../../api/action-registry';
import type { MappedCollection } from '../../security/accounts';
import type { SecurityServices } from '../../security/security-services';
import { bodyOf } from './action-helpers';

const NAMES: Readonly<Record<MappedCollection, string>> = {
  users: 'User',
  profiles: 'Profile',
  roles: 'Role',
};

export function mappingActions({ accounts }: SecurityServices): Record<string, ActionDefinition> {
  const actions: Record<string, ActionDefinition> = {};
  for (const [collection, name] of Object.entries(NAMES) as [MappedCollection, string][]) {
    actions[`get${name}Mapping`] = defineAction({
      http: [{ verb: 'GET', path: `/${collection}/_mapping` }],
      handler: () => accounts.mappings.get(collection),
    });
    actions[`update${name}Mapping`] = defineAction({
      body: 'required',
      http: [{ verb: 'PUT', path: `/${collection}/_mapping` }],
      handler: (request) => accounts.mappings.update(collection, bodyOf(request)),
    });
  }
  return actions;
}
