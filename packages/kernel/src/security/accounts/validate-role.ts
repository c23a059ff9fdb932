/**
 * validateRole: checks a role body (reference §3.4) and returns the content to store. Controllers and actions
 * are checked against the ActionRegistry and Kuzzle's own (KUZZLE_ACTIONS): a role written for Kuzzle loads
 * unchanged, naming actions served here or not yet, while a misspelt action, which would otherwise grant
 * nothing, silently, is refused.
 */
import { isTesseraError, tesseraError, type JsonObject, type Logger } from '@tessera/plugin-sdk';
import type { ActionRegistry } from '../../api/action-registry';
import type { RoleContent } from '../model';
import { assertOnlyKeys, readNonEmptyObject, readObject } from './argument-checks';
import { KUZZLE_ACTIONS } from './kuzzle-actions';
import { isRoleActionAllowed } from './rights';

export interface RoleValidationOptions {
  /** Accept controllers the registry does not know (a plugin not loaded yet), with a warning. */
  readonly force?: boolean;
  /**
   * Internal, for the bootstrap and the standard set only: skip the registry, whose controllers may not all be
   * registered yet when they run, and which does not hold every action the standard set names yet.
   */
  readonly skipRegistryCheck?: boolean;
}

export interface RoleValidationContext {
  readonly registry: Pick<ActionRegistry, 'find' | 'isDeclaredRight'>;
  readonly log: Logger;
}

type Controllers = RoleContent['controllers'];

const ANY = '*';

export function validateRole(
  id: string,
  body: JsonObject,
  context: RoleValidationContext,
  options: RoleValidationOptions = {},
): RoleContent {
  const controllers = readControllers(body.controllers);
  if (options.skipRegistryCheck !== true) {
    for (const [controller, { actions }] of Object.entries(controllers)) {
      checkRegistered(id, controller, Object.keys(actions), context, options.force === true);
    }
  }
  const role: RoleContent = { ...body, controllers };
  // The anonymous role must keep login, or nobody could ever authenticate again.
  if (id === 'anonymous' && !isRoleActionAllowed(role, 'auth', 'login')) {
    throw tesseraError('security.role.login_required');
  }
  return role;
}

function readControllers(value: unknown): Controllers {
  const entries = Object.entries(readNonEmptyObject(value, 'body.controllers'));
  // fromEntries defines own properties: a `__proto__` key could never reach the prototype.
  return Object.fromEntries(
    entries.map(([controller, entry]) => {
      const path = `body.controllers.${controller}`;
      const object = readObject(entry, path);
      assertOnlyKeys(object, ['actions'], path);
      return [controller, { actions: readActions(object.actions, `${path}.actions`) }];
    }),
  );
}

function readActions(value: unknown, path: string): Controllers[string]['actions'] {
  const entries = Object.entries(readNonEmptyObject(value, path)).map(([action, allowed]) => {
    if (typeof allowed !== 'boolean')
      throw tesseraError('api.assert.invalid_type', `${path}.${action}`, 'boolean');
    return [action, allowed] as const;
  });
  return Object.fromEntries(entries);
}

/**
 * A controller registered here or native to Kuzzle takes `*` and the actions either has for it (`force` does
 * not change that); any other controller needs `force`. Under the `*` controller, only the `*` action means
 * something.
 */
function checkRegistered(
  roleId: string,
  controller: string,
  actions: readonly string[],
  { registry, log }: RoleValidationContext,
  force: boolean,
): void {
  if (controller === ANY) {
    const other = actions.find((action) => action !== ANY);
    if (other !== undefined) {
      throw tesseraError(
        'security.role.unknown_action',
        roleId,
        other,
        ANY,
        'Only "*" can be set under "*".',
      );
    }
    return;
  }
  const kuzzleActions = KUZZLE_ACTIONS.get(controller);
  // `*` is never an action: the lookup only tells whether the controller is registered.
  if (kuzzleActions === undefined && lookUp(registry, controller, ANY) === 'unknown_controller') {
    if (!force) {
      throw tesseraError(
        'security.role.unknown_controller',
        roleId,
        controller,
        'Use "force" to set it anyway.',
      );
    }
    log.warn('role names a controller that is not registered', { role: roleId, controller });
    return;
  }
  const unknown = actions.find(
    (action) =>
      action !== ANY &&
      kuzzleActions?.has(action) !== true &&
      lookUp(registry, controller, action) !== 'known',
  );
  if (unknown !== undefined) {
    throw tesseraError(
      'security.role.unknown_action',
      roleId,
      unknown,
      controller,
      'Use "*" for every action.',
    );
  }
}

/** What the registry knows of `controller:action`: an action (read through `find`) or a declared right. */
function lookUp(
  registry: Pick<ActionRegistry, 'find' | 'isDeclaredRight'>,
  controller: string,
  action: string,
): 'known' | 'unknown_controller' | 'unknown_action' {
  if (registry.isDeclaredRight(controller, action)) return 'known';
  try {
    registry.find(controller, action);
    return 'known';
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    if (error.id === 'api.process.controller_not_found') return 'unknown_controller';
    if (error.id === 'api.process.action_not_found') return 'unknown_action';
    throw error;
  }
}
