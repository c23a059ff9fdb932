/**
 * The security controller's user actions (reference §3.1): creating users with their credentials (always
 * through createUserWithCredentials, all or nothing), reading, changing and deleting them, their rights,
 * strategies and tokens, and the first admin.
 */
import { tesseraError, type JsonObject } from '@tessera/plugin-sdk';
import { defineAction, type ActionDefinition } from '../../api/action-registry';
import { arg } from '../../api/args';
import type { Request } from '../../api/request';
import { applyStandardRights, type KuidFormat } from '../../security/accounts';
import { ANONYMOUS_KUID } from '../../security/model';
import type { SecurityServices } from '../../security/security-services';
import { createUserWithCredentials } from '../../security/user-creation';
import { actionTarget } from '../auth-controller';
import {
  SECURITY_SEARCH_SIZE,
  authorOf,
  bodyOf,
  deleteEach,
  idsOf,
  isError,
  objectAt,
  optionalObjectAt,
  pageOf,
  searchArgs,
  storedUser,
} from './action-helpers';

/** Kuzzle's `security.restrictedProfileIds`: the profiles of a user who signed themselves up. */
const RESTRICTED_PROFILE_IDS = ['default'];

const idArg = { _id: arg.string({ required: true }) };
const creationArgs = { _id: arg.string(), kuid: arg.string() };

export function userActions(services: SecurityServices): Record<string, ActionDefinition> {
  const { accounts, credentials, tokens, throttle, bus, config } = services;

  /** The create actions' common path: `body.credentials` go to the strategies, never into the document. */
  const create = (request: Request, args: { _id?: string; kuid?: string }, content: JsonObject) =>
    createUserWithCredentials(services, request, {
      id: args._id,
      kuid: kuidFormat(args.kuid),
      content,
      credentials: credentialsOf(request.input.body ?? {}),
    });

  /** `body.content` of the actions that choose the profiles themselves. */
  const contentWithout = (request: Request, profileIds: string[]): JsonObject => {
    const content = optionalObjectAt(request.input.body?.content, 'body.content');
    if ('profileIds' in content)
      throw tesseraError('api.assert.forbidden_argument', 'body.content.profileIds');
    return { ...content, profileIds };
  };

  /** Credentials, API keys, tokens, then the document: a failure midway leaves a user who can still be deleted. */
  const deleteUser = async (request: Request, kuid: string): Promise<void> => {
    await storedUser(accounts, kuid);
    for (const strategy of await credentials.strategiesOf(request, kuid)) {
      await credentials.delete(request, strategy, kuid);
    }
    const author = authorOf(request);
    await tokens.deleteApiKeys(kuid, 'user-deleted', author);
    await tokens.revokeAll(kuid, 'user-deleted', { author });
    await accounts.users.delete(kuid);
    bus.emit('user:deleted', { kuid, author });
  };

  // One at a time on this node: two concurrent calls must not both find no admin and both create one.
  const oneFirstAdminAtATime = serializer();

  return {
    createFirstAdmin: defineAction({
      args: { ...creationArgs, reset: arg.boolean() },
      http: [{ verb: 'POST', path: '/_createFirstAdmin' }],
      httpAliases: [{ verb: 'POST', path: '/_createFirstAdmin/:_id' }],
      handler: (request, args) =>
        oneFirstAdminAtATime(async () => {
          if (await accounts.adminExists()) throw tesseraError('api.process.admin_exists');
          const admin = await create(request, args, contentWithout(request, ['admin']));
          // Stricter than Kuzzle: once an admin exists, anonymous callers no longer hold every right, unless
          // the operator keeps Kuzzle's way (security.firstAdmin.restrictRights: "onReset").
          if (args.reset === true || config.firstAdmin.restrictRights === 'always') {
            await applyStandardRights(accounts, authorOf(request));
          }
          return admin;
        }),
    }),

    restrictDefaultRights: defineAction({
      http: [{ verb: 'POST', path: '/_restrictDefaultRights' }],
      handler: async (request) => {
        await applyStandardRights(accounts, authorOf(request));
        return null;
      },
    }),

    createUser: defineAction({
      args: creationArgs,
      body: 'required',
      http: [{ verb: 'POST', path: '/users/_create' }],
      httpAliases: [{ verb: 'POST', path: '/users/:_id/_create' }],
      handler: (request, args) => create(request, args, objectAt(bodyOf(request).content, 'body.content')),
    }),

    createRestrictedUser: defineAction({
      args: creationArgs,
      http: [{ verb: 'POST', path: '/users/_createRestricted' }],
      httpAliases: [{ verb: 'POST', path: '/users/:_id/_createRestricted' }],
      handler: (request, args) => create(request, args, contentWithout(request, RESTRICTED_PROFILE_IDS)),
    }),

    getUser: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/users/:_id' }],
      handler: (_request, { _id }) => accounts.users.get(_id),
    }),

    mGetUsers: defineAction({
      // `ids` as an argument is Kuzzle's legacy form (`?ids=a,b`); kuzzle-sdk sends `body.ids`.
      args: { ids: arg.stringArray() },
      http: [{ verb: 'POST', path: '/users/_mGet' }],
      httpAliases: [{ verb: 'GET', path: '/users/_mGet' }],
      handler: async (request, { ids }) => ({ hits: await accounts.users.mGet(ids ?? idsOf(request)) }),
    }),

    searchUsers: defineAction({
      args: searchArgs,
      http: [{ verb: 'POST', path: '/users/_search' }],
      handler: (request, args) =>
        accounts.users.search(request.input.body ?? {}, pageOf(args, SECURITY_SEARCH_SIZE)),
    }),

    updateUser: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'PUT', path: '/users/:_id/_update' }],
      handler: (request, { _id }) => accounts.users.update(_id, bodyOf(request), authorOf(request)),
    }),

    replaceUser: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'PUT', path: '/users/:_id/_replace' }],
      handler: (request, { _id }) => accounts.users.replace(_id, bodyOf(request), authorOf(request)),
    }),

    upsertUser: defineAction({
      args: idArg,
      body: 'required',
      http: [{ verb: 'POST', path: '/users/:_id/_upsert' }],
      handler: async (request, { _id }) => {
        const body = bodyOf(request);
        const content = objectAt(body.content, 'body.content');
        const update = () => accounts.users.update(_id, content, authorOf(request));
        try {
          return await update();
        } catch (error) {
          if (!isError(error, 'security.user.not_found')) throw error;
        }
        // `default` and `credentials` only apply when the user is created.
        const defaults = optionalObjectAt(body.default, 'body.default');
        try {
          return await create(request, { _id }, { ...defaults, ...content });
        } catch (error) {
          // Created by a concurrent call in between: an update after all.
          if (!isError(error, 'security.user.already_exists')) throw error;
          return update();
        }
      },
    }),

    deleteUser: defineAction({
      args: idArg,
      http: [{ verb: 'DELETE', path: '/users/:_id' }],
      handler: async (request, { _id }) => {
        await deleteUser(request, _id);
        return { _id };
      },
    }),

    mDeleteUsers: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/users/_mDelete' }],
      handler: (request) =>
        deleteEach(request, services.log, idsOf(request), (id) => deleteUser(request, id)),
    }),

    getUserRights: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/users/:_id/_rights' }],
      handler: async (_request, { _id }) => {
        const user = await accounts.users.get(_id);
        const hits = (await accounts.rightsFor(user._source)).rights();
        return { hits, total: hits.length };
      },
    }),

    getUserStrategies: defineAction({
      args: idArg,
      http: [{ verb: 'GET', path: '/users/:_id/_strategies' }],
      handler: async (request, { _id }) => {
        const user = await accounts.users.get(_id);
        const strategies = user._id === ANONYMOUS_KUID ? [] : await credentials.strategiesOf(request, _id);
        return { strategies, total: strategies.length };
      },
    }),

    checkRights: defineAction({
      args: { userId: arg.string({ required: true }) },
      body: 'required',
      http: [{ verb: 'POST', path: '/_checkRights/:userId' }],
      handler: async (request, { userId }) => {
        const target = actionTarget(bodyOf(request));
        const user = await accounts.users.get(userId);
        return { allowed: (await accounts.rightsFor(user._source)).isActionAllowed(target) };
      },
    }),

    revokeTokens: defineAction({
      args: idArg,
      http: [{ verb: 'DELETE', path: '/users/:_id/tokens' }],
      handler: async (request, { _id }) => {
        await accounts.users.get(_id);
        // API keys stay, as in Kuzzle: deleteApiKey is how one revokes a key.
        await tokens.revokeAll(_id, 'revoke-tokens', { author: authorOf(request) });
        return null;
      },
    }),

    unlockLogins: defineAction({
      body: 'required',
      http: [{ verb: 'POST', path: '/users/_unlockLogins' }],
      handler: async (request) => {
        const { username } = bodyOf(request);
        if (typeof username !== 'string' || username === '') {
          throw tesseraError('api.assert.missing_argument', 'body.username');
        }
        return { unlocked: await throttle.unlock(username) };
      },
    }),
  };
}

function kuidFormat(kuid: string | undefined): KuidFormat | undefined {
  if (kuid === undefined || kuid === 'human' || kuid === 'uuid') return kuid;
  throw tesseraError('api.assert.invalid_argument', 'kuid', '"human" or "uuid"');
}

/** `body.credentials`: strategy name -> an object of that strategy's credentials. */
function credentialsOf(body: JsonObject): Record<string, JsonObject> {
  const all = optionalObjectAt(body.credentials, 'body.credentials');
  return Object.fromEntries(
    Object.entries(all).map(([strategy, value]) => [
      strategy,
      objectAt(value, `body.credentials.${strategy}`),
    ]),
  );
}

/** Runs the tasks it is given one after the other, in call order. */
function serializer(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = last.then(task);
    last = run.catch(() => undefined);
    return run;
  };
}
