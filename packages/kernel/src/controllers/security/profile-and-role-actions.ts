/**
 * The security controller's profile and role actions (reference §3.3, §3.4). Validation, protected ids and
 * "still in use" checks belong to the repositories; this file maps Kuzzle's arguments onto them, including
 * the search forms the store cannot run as a query (`{roles: [...]}`, `{controllers: [...]}`).
 */
import { tesseraError, type JsonObject, type SearchOptions } from '@tessera/plugin-sdk';
import { defineAction, type ActionDefinition } from '../../api/action-registry';
import { arg } from '../../api/args';
import type { Request } from '../../api/request';
import type { DeleteProfileOptions } from '../../security/accounts';
import type { SecurityServices } from '../../security/security-services';
import {
  SECURITY_SEARCH_SIZE,
  authorOf,
  bodyOf,
  deleteEach,
  idsOf,
  pageOf,
  searchArgs,
  searchKept,
  stringsAt,
} from './action-helpers';

const idArg = { _id: arg.string({ required: true }) };
const roleWriteArgs = { ...idArg, force: arg.boolean() };

export function profileAndRoleActions(services: SecurityServices): Record<string, ActionDefinition> {
  const { accounts, log } = services;
  const { profiles, roles } = accounts;

  /**
   * `{roles: [roleIds]}` (Kuzzle's older form: profiles with a policy on one of these roles; an empty list is
   * no filter, as the admin console relies on) or a store query; not both.
   */
  const searchProfiles = (request: Request, page: SearchOptions) => {
    const body = request.input.body ?? {};
    const roleIds = listFilter(body, 'roles');
    if (roleIds === null) return profiles.search(body, page);
    if (roleIds.length === 0) return profiles.search(withoutKey(body, 'roles'), page);
    return searchKept(
      (options) => profiles.search({}, options),
      (profile) => profile.policies.some((policy) => roleIds.includes(policy.roleId)),
      page,
    );
  };

  /**
   * `{controllers: [names]}` (roles with an entry for one of these controllers, or for `*`; an empty list is no
   * filter, as in Kuzzle) or a store query.
   */
  const searchRoles = (request: Request, page: SearchOptions) => {
    const body = request.input.body ?? {};
    const controllers = listFilter(body, 'controllers');
    if (controllers === null) return roles.search(body, page);
    if (controllers.length === 0) return roles.search(withoutKey(body, 'controllers'), page);
    return searchKept(
      (options) => roles.search({}, options),
      (role) => [...controllers, '*'].some((controller) => Object.hasOwn(role.controllers, controller)),
      page,
    );
  };

  return {
    createProfile: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'POST', path: '/profiles/:_id/_create' }],
      handler: (request, { _id }) => profiles.create(_id, bodyOf(request), authorOf(request)),
    }),

    createOrReplaceProfile: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'PUT', path: '/profiles/:_id' }],
      handler: (request, { _id }) => profiles.createOrReplace(_id, bodyOf(request), authorOf(request)),
    }),

    getProfile: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/profiles/:_id' }],
      handler: (_request, { _id }) => profiles.get(_id),
    }),

    mGetProfiles: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/profiles/_mGet' }],
      handler: async (request) => ({ hits: await profiles.mGet(idsOf(request)) }),
    }),

    searchProfiles: defineAction({
      args: searchArgs,
      http: [{ verb: 'POST', path: '/profiles/_search' }],
      handler: (request, args) => searchProfiles(request, pageOf(args, SECURITY_SEARCH_SIZE)),
    }),

    updateProfile: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'PUT', path: '/profiles/:_id/_update' }],
      handler: (request, { _id }) => profiles.update(_id, bodyOf(request), authorOf(request)),
    }),

    deleteProfile: defineAction({
      args: { ...idArg, onAssignedUsers: arg.string() },
      http: [{ verb: 'DELETE', path: '/profiles/:_id' }],
      handler: async (request, { _id, onAssignedUsers }) => {
        await profiles.delete(_id, authorOf(request), {
          onAssignedUsers: assignedUsersPolicy(onAssignedUsers),
        });
        return { _id };
      },
    }),

    mDeleteProfiles: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/profiles/_mDelete' }],
      handler: (request) =>
        deleteEach(request, log, idsOf(request), (id) => profiles.delete(id, authorOf(request))),
    }),

    getProfileRights: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/profiles/:_id/_rights' }],
      handler: async (_request, { _id }) => {
        await profiles.get(_id);
        const hits = (await accounts.rightsFor({ profileIds: [_id] })).rights();
        return { hits, total: hits.length };
      },
    }),

    createRole: defineAction({
      args: roleWriteArgs,
      body: 'required',
      http: [{ verb: 'POST', path: '/roles/:_id/_create' }],
      handler: (request, { _id, force }) => roles.create(_id, bodyOf(request), authorOf(request), { force }),
    }),

    createOrReplaceRole: defineAction({
      args: roleWriteArgs,
      body: 'required',
      http: [{ verb: 'PUT', path: '/roles/:_id' }],
      handler: (request, { _id, force }) =>
        roles.createOrReplace(_id, bodyOf(request), authorOf(request), { force }),
    }),

    getRole: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/roles/:_id' }],
      handler: (_request, { _id }) => roles.get(_id),
    }),

    mGetRoles: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/roles/_mGet' }],
      handler: async (request) => ({ hits: await roles.mGet(idsOf(request)) }),
    }),

    searchRoles: defineAction({
      args: searchArgs,
      http: [{ verb: 'POST', path: '/roles/_search' }],
      handler: (request, args) => searchRoles(request, pageOf(args, SECURITY_SEARCH_SIZE)),
    }),

    updateRole: defineAction({
      args: roleWriteArgs,
      body: 'required',
      http: [{ verb: 'PUT', path: '/roles/:_id/_update' }],
      handler: (request, { _id, force }) => roles.update(_id, bodyOf(request), authorOf(request), { force }),
    }),

    deleteRole: defineAction({
      args: idArg,
      http: [{ verb: 'DELETE', path: '/roles/:_id' }],
      handler: async (request, { _id }) => {
        await roles.delete(_id, authorOf(request));
        return { _id };
      },
    }),

    mDeleteRoles: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/roles/_mDelete' }],
      handler: (request) =>
        deleteEach(request, log, idsOf(request), (id) => roles.delete(id, authorOf(request))),
    }),
  };
}

/**
 * `body[key]` when the body uses Kuzzle's list filter `{<key>: [...]}`, null when it is a store query. Both at
 * once is ambiguous: refused.
 */
function listFilter(body: JsonObject, key: 'roles' | 'controllers'): string[] | null {
  if (body[key] === undefined) return null;
  if (body.query !== undefined)
    throw tesseraError('api.assert.mutually_exclusive', `body.${key}`, 'body.query');
  return stringsAt(body[key], `body.${key}`);
}

/** The body without its list filter, for the store to read the rest (sort, search_after) as a query body. */
function withoutKey(body: JsonObject, key: 'roles' | 'controllers'): JsonObject {
  return Object.fromEntries(Object.entries(body).filter(([name]) => name !== key));
}

function assignedUsersPolicy(value: string | undefined): DeleteProfileOptions['onAssignedUsers'] {
  if (value === undefined || value === 'fail' || value === 'remove') return value;
  throw tesseraError('api.assert.invalid_argument', 'onAssignedUsers', '"fail" or "remove"');
}
