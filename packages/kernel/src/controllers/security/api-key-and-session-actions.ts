/**
 * The security controller's API key actions (reference §3.5) and Tessera's own session actions: an
 * administrator's view of any user's API keys and live auth tokens.
 */
import { tesseraError } from '@tessera/plugin-sdk';
import { defineAction, type ActionDefinition } from '../../api/action-registry';
import { arg } from '../../api/args';
import type { SecurityServices } from '../../security/security-services';
import { authorOf, bodyOf, pageOf, searchArgs, storedUser } from './action-helpers';

const userIdArg = { userId: arg.string({ required: true }) };

export function apiKeyAndSessionActions(services: SecurityServices): Record<string, ActionDefinition> {
  const { accounts, tokens } = services;

  return {
    createApiKey: defineAction({
      args: { ...userIdArg, _id: arg.string(), expiresIn: arg.duration() },
      body: 'required',
      http: [{ verb: 'POST', path: '/users/:userId/api-keys/_create' }],
      handler: async (request, { userId, _id, expiresIn }) => {
        await storedUser(accounts, userId, 'userId');
        // An administrator's key is not held to `security.apiKey.maxTTL`, which limits what users give themselves.
        return tokens.createApiKey(userId, {
          description: bodyOf(request).description,
          expiresIn,
          id: _id,
          author: authorOf(request),
          bypassMaxTTL: true,
        });
      },
    }),

    searchApiKeys: defineAction({
      args: { ...userIdArg, ...searchArgs },
      http: [{ verb: 'POST', path: '/users/:userId/api-keys/_search' }],
      handler: (request, { userId, ...args }) =>
        tokens.searchApiKeys(userId, request.input.body ?? {}, pageOf(args)),
    }),

    deleteApiKey: defineAction({
      args: { ...userIdArg, _id: arg.string({ required: true }) },
      http: [{ verb: 'DELETE', path: '/users/:userId/api-keys/:_id' }],
      handler: async (request, { userId, _id }) => {
        await tokens.deleteApiKey(userId, _id, authorOf(request));
        return { _id };
      },
    }),

    listUserSessions: defineAction({
      args: { _id: arg.string({ required: true }) },
      http: [{ verb: 'GET', path: '/users/:_id/sessions' }],
      handler: async (_request, { _id }) => {
        await accounts.users.get(_id);
        const hits = await tokens.sessions(_id);
        return { hits, total: hits.length };
      },
    }),

    revokeUserSession: defineAction({
      args: { _id: arg.string({ required: true }), sessionId: arg.string({ required: true }) },
      http: [{ verb: 'DELETE', path: '/users/:_id/sessions/:sessionId' }],
      handler: async (request, { _id, sessionId }) => {
        if (!(await tokens.revokeSession(_id, sessionId, authorOf(request))))
          throw tesseraError('security.session.not_found', sessionId);
        return { acknowledged: true };
      },
    }),
  };
}
