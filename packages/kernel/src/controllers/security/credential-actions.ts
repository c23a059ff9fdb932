/**
 * The security controller's credential actions (reference §3.2): an administrator's side of the strategies'
 * credential methods, all through Credentials, which picks the strategy, validates before writing, emits the
 * events and revokes tokens on a change. A result is what the strategy returns, never a secret.
 */
import { tesseraError } from '@tessera/plugin-sdk';
import { defineAction, type ActionDefinition } from '../../api/action-registry';
import { arg } from '../../api/args';
import type { SecurityServices } from '../../security/security-services';
import { bodyOf, storedUser } from './action-helpers';

const strategyArg = { strategy: arg.string({ required: true }) };
const strategyAndIdArgs = { ...strategyArg, _id: arg.string({ required: true }) };

export function credentialActions(services: SecurityServices): Record<string, ActionDefinition> {
  const { accounts, credentials, strategies } = services;

  // Routes with a fixed last segment come before `/credentials/:strategy/:_id`, which would match them too.
  return {
    getCredentialFields: defineAction({
      args: strategyArg,
      http: [{ verb: 'GET', path: '/credentials/:strategy/_fields' }],
      handler: (_request, { strategy }) => [...credentials.fields(strategy)],
    }),

    getAllCredentialFields: defineAction({
      http: [{ verb: 'GET', path: '/credentials/_fields' }],
      handler: () =>
        Object.fromEntries(strategies.names().map((name) => [name, [...credentials.fields(name)]])),
    }),

    createCredentials: defineAction({
      args: strategyAndIdArgs,
      body: 'required',
      http: [{ verb: 'POST', path: '/credentials/:strategy/:_id/_create' }],
      handler: async (request, { strategy, _id }) => {
        await storedUser(accounts, _id);
        return credentials.create(request, strategy, _id, bodyOf(request));
      },
    }),

    updateCredentials: defineAction({
      args: strategyAndIdArgs,
      body: 'required',
      http: [{ verb: 'PUT', path: '/credentials/:strategy/:_id/_update' }],
      handler: async (request, { strategy, _id }) => {
        await storedUser(accounts, _id);
        return credentials.update(request, strategy, _id, bodyOf(request));
      },
    }),

    deleteCredentials: defineAction({
      args: strategyAndIdArgs,
      http: [{ verb: 'DELETE', path: '/credentials/:strategy/:_id' }],
      handler: async (request, { strategy, _id }) => {
        await credentials.delete(request, strategy, _id);
        return { acknowledged: true };
      },
    }),

    getCredentials: defineAction({
      args: strategyAndIdArgs,
      http: [{ verb: 'GET', path: '/credentials/:strategy/:_id' }],
      handler: (request, { strategy, _id }) => credentials.info(request, strategy, _id),
    }),

    getCredentialsById: defineAction({
      // `_id` is the strategy's own id here (the local strategy's username), not a kuid.
      args: strategyAndIdArgs,
      http: [{ verb: 'GET', path: '/credentials/:strategy/:_id/_byId' }],
      handler: (request, { strategy, _id }) => credentials.byId(request, strategy, _id),
    }),

    hasCredentials: defineAction({
      args: strategyAndIdArgs,
      http: [{ verb: 'GET', path: '/credentials/:strategy/:_id/_exists' }],
      handler: (request, { strategy, _id }) => credentials.exists(request, strategy, _id),
    }),

    validateCredentials: defineAction({
      args: strategyAndIdArgs,
      body: 'required',
      http: [{ verb: 'POST', path: '/credentials/:strategy/:_id/_validate' }],
      handler: (request, { strategy, _id }) => credentials.validate(request, strategy, _id, bodyOf(request)),
    }),

    searchUsersByCredentials: defineAction({
      args: { ...strategyArg, from: arg.integer(), size: arg.integer(), lang: arg.string() },
      http: [{ verb: 'POST', path: '/credentials/:strategy/users/_search' }],
      handler: (request, { strategy, from = 0, size = 10, lang }) => {
        // A strategy searches its own store with Elasticsearch-style queries; there is no Koncorde translation.
        if (lang !== undefined && lang !== 'elasticsearch') {
          throw tesseraError(
            'api.assert.invalid_argument',
            'lang',
            '"elasticsearch" (the only language strategies search with)',
          );
        }
        return credentials.search(strategy, request.input.body ?? {}, { from, size });
      },
    }),
  };
}
