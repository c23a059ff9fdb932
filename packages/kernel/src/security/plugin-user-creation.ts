/**
 * createPluginUser: how a plugin creates a user (an OAuth strategy's first login). It goes through
 * createUserWithCredentials, so the credentials are checked before anything is written and a failure leaves
 * neither user nor credentials behind. The user is its own author: nobody is logged in yet, and the kuid is
 * drawn before the write so the document and `user:created` can name it.
 */
import {
  isTesseraError,
  tesseraError,
  type ApiRequest,
  type JsonObject,
  type PluginNewUser,
} from '@tessera/plugin-sdk';
import { randomUUID } from 'node:crypto';
import { Request } from '../api/request';
import { generateKuid } from './accounts';
import type { StrategyRegistry } from './strategies';
import { createUserWithCredentials, type UserCreationServices } from './user-creation';

/** Draws of a generated kuid before giving up, as in createUserWithCredentials. */
const KUID_ATTEMPTS = 5;

export async function createPluginUser(
  services: UserCreationServices,
  strategies: StrategyRegistry,
  plugin: string,
  user: PluginNewUser,
): Promise<string> {
  const credentials = user.credentials ?? {};
  for (const strategy of Object.keys(credentials)) {
    // get() throws security.credentials.unknown_strategy for a name nobody registered.
    if (strategies.get(strategy).owner !== plugin)
      throw tesseraError(
        'plugin.assert.invalid_definition',
        plugin,
        `cannot create credentials for the strategy "${strategy}", which another plugin owns`,
      );
  }
  const content: JsonObject = { ...user.content, profileIds: [...user.profileIds] };
  for (let attempt = 1; ; attempt += 1) {
    const kuid = generateKuid('human');
    try {
      const created = await createUserWithCredentials(services, selfRequest(plugin, kuid, user.profileIds), {
        id: kuid,
        content,
        credentials,
      });
      return created._id;
    } catch (error) {
      const taken = isTesseraError(error) && error.id === 'security.user.already_exists';
      if (!taken || attempt >= KUID_ATTEMPTS) throw error;
    }
  }
}

/** An internal request made in the name of the user being created. */
function selfRequest(plugin: string, kuid: string, profileIds: readonly string[]): ApiRequest {
  const request = new Request(
    randomUUID(),
    {
      controller: `${plugin}/accounts`,
      action: 'createUser',
      jwt: null,
      body: null,
      args: {},
      volatile: null,
    },
    { id: `plugin:${plugin}`, protocol: 'internal', address: null, ips: [], headers: {} },
  );
  request.user = { _id: kuid, profileIds: [...profileIds] };
  return request;
}
