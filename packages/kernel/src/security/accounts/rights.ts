/**
 * Rights evaluation, exactly as Kuzzle 2 does it (reference §4.4): who may run `controller:action` on an
 * index and collection, given the user's profiles and their roles. Pure functions over loaded documents;
 * loading them (through the cache) is SecurityRepository.rightsFor's job. Multi-index `targets` are not
 * supported: no action of ours takes them.
 */
import type { PolicyRestriction, ProfileContent, RoleContent } from '../model';

/** A user's profiles, and the roles their policies name, by id. A missing role grants nothing. */
export interface RightsSource {
  readonly profiles: readonly ProfileContent[];
  readonly roles: ReadonlyMap<string, RoleContent>;
}

export interface ActionTarget {
  readonly controller: string;
  readonly action: string;
  readonly index?: string | null;
  readonly collection?: string | null;
}

/** One line of getMyRights / getUserRights / getProfileRights. */
export interface RightItem {
  controller: string;
  action: string;
  index: string;
  collection: string;
  value: 'allowed' | 'denied';
}

/** What the funnel asks about the user of a request; built by SecurityRepository.rightsFor. */
export interface RightsEvaluator {
  isActionAllowed(target: ActionTarget): boolean;
  /** The merged rights, for getMyRights. */
  rights(): RightItem[];
  /** Requests per second allowed; 0 means unlimited. */
  readonly rateLimit: number;
}

const ANY = '*';

/** Controller names that mean the same controller. */
const CONTROLLER_ALIASES: ReadonlyMap<string, string> = new Map([
  ['ms', 'memoryStorage'],
  ['memoryStorage', 'ms'],
]);

/** Allowed iff some policy of some profile has a role allowing the action and restrictions admitting the target. */
export function isActionAllowed(source: RightsSource, target: ActionTarget): boolean {
  return source.profiles.some((profile) =>
    profile.policies.some((policy) => {
      const role = source.roles.get(policy.roleId);
      return (
        role !== undefined &&
        isRoleActionAllowed(role, target.controller, target.action) &&
        checkRestrictions(target.index, target.collection, policy.restrictedTo)
      );
    }),
  );
}

/**
 * The controller's own entry if the role has one (or its alias's), else the `*` entry; then the action's own
 * value, else the entry's `*` value. No fallback from a listed controller to `*`; only a literal `true` allows.
 */
export function isRoleActionAllowed(role: RoleContent, controller: string, action: string): boolean {
  const entry = controllerEntry(role, controller);
  if (entry === undefined) return false;
  const value = Object.hasOwn(entry.actions, action) ? entry.actions[action] : entry.actions[ANY];
  return value === true;
}

/** Whether a policy's `restrictedTo` admits the index and collection of a request. */
export function checkRestrictions(
  index: string | null | undefined,
  collection: string | null | undefined,
  restrictedTo: readonly PolicyRestriction[] | undefined,
): boolean {
  if (restrictedTo === undefined || restrictedTo.length === 0) return true;
  if (index === undefined || index === null) return true;
  const restriction = restrictedTo.find((candidate) => candidate.index === index);
  if (restriction === undefined) return false;
  const collections = restriction.collections ?? [];
  return collections.length === 0 || (typeof collection === 'string' && collections.includes(collection));
}

/**
 * One item per (controller, action, index or `*`, collection or `*`) the profiles mention, merged across
 * policies and profiles: `allowed` when any of them allows it.
 */
export function computeRights(source: RightsSource): RightItem[] {
  const items = new Map<string, RightItem>();
  for (const profile of source.profiles) {
    for (const policy of profile.policies) {
      const role = source.roles.get(policy.roleId);
      if (role === undefined) continue;
      for (const [controller, { actions }] of Object.entries(role.controllers)) {
        for (const [action, allowed] of Object.entries(actions)) {
          const value = allowed === true ? 'allowed' : 'denied';
          for (const { index, collection } of scopes(policy.restrictedTo)) {
            const key = JSON.stringify([controller, action, index, collection]);
            if (items.get(key)?.value !== 'allowed') {
              items.set(key, { controller, action, index, collection, value });
            }
          }
        }
      }
    }
  }
  return [...items.values()];
}

/** The largest rate limit of the profiles, where one unlimited (0 or absent) profile makes it unlimited. */
export function effectiveRateLimit(profiles: readonly ProfileContent[]): number {
  const limits = profiles.map((profile) => profile.rateLimit ?? 0);
  return limits.length === 0 || limits.includes(0) ? 0 : Math.max(...limits);
}

export function createRightsEvaluator(source: RightsSource): RightsEvaluator {
  return {
    isActionAllowed: (target) => isActionAllowed(source, target),
    rights: () => computeRights(source),
    rateLimit: effectiveRateLimit(source.profiles),
  };
}

function controllerEntry(
  role: RoleContent,
  controller: string,
): RoleContent['controllers'][string] | undefined {
  const { controllers } = role;
  const alias = CONTROLLER_ALIASES.get(controller);
  if (Object.hasOwn(controllers, controller)) return controllers[controller];
  if (alias !== undefined && Object.hasOwn(controllers, alias)) return controllers[alias];
  return Object.hasOwn(controllers, ANY) ? controllers[ANY] : undefined;
}

/** The (index, collection) pairs a policy covers, `*` standing for "any". */
function scopes(
  restrictedTo: readonly PolicyRestriction[] | undefined,
): { index: string; collection: string }[] {
  if (restrictedTo === undefined || restrictedTo.length === 0) return [{ index: ANY, collection: ANY }];
  return restrictedTo.flatMap(({ index, collections }) =>
    (collections === undefined || collections.length === 0 ? [ANY] : collections).map((collection) => ({
      index,
      collection,
    })),
  );
}
