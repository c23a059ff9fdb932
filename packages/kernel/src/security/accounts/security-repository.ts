/**
 * SecurityRepository: users, profiles and roles of the kernel namespace, and the rights they give. It builds
 * the three repositories over one set of collections, so each sees the others' writes, and answers the
 * funnel's question on every request: what may this user do (`rightsFor`).
 */
import type { ClusterBus } from '@tessera/cluster';
import type { EventBus, Logger, StorageNamespace } from '@tessera/plugin-sdk';
import type { ActionRegistry } from '../../api/action-registry';
import type { ProfileContent, RoleContent, SecurityDocument, UserContent } from '../model';
import { ProfileRepository } from './profile-repository';
import { createRightsEvaluator, type RightsEvaluator, type RightsSource } from './rights';
import { RoleRepository } from './role-repository';
import {
  SecurityCollection,
  type SecurityChange,
  type SecurityCollectionOptions,
  type Stored,
} from './security-collection';
import { SecurityMappings } from './security-mappings';
import { UserRepository } from './user-repository';

export interface SecurityRepositoryOptions {
  /** The kernel's storage namespace; no plugin can reach it. */
  readonly storage: StorageNamespace;
  /** Roles are checked against the registered controllers and actions. */
  readonly registry: Pick<ActionRegistry, 'find' | 'isDeclaredRight'>;
  readonly log: Logger;
  /** Keeps the caches true on every node of the cluster. */
  readonly clusterBus: ClusterBus;
  /** Where `user:updated`, `profile:*` and `role:*` are emitted, after each write committed. */
  readonly bus: EventBus;
  /** The clock of the `_kuzzle_info` stamps. */
  readonly now?: () => number;
}

/** Users kept in memory: every authenticated request reads its user; 10,000 users are a few megabytes. */
const USER_CACHE_SIZE = 10_000;
/** Profiles and roles kept in memory: every one a deployment has, in practice. */
const RIGHTS_CACHE_SIZE = 100_000;
/** Rights evaluators kept, one per distinct set of profiles: users share a handful of sets, in practice. */
const EVALUATOR_CACHE_SIZE = 10_000;

/** A user's rights as built from these profile and role documents, at this rights revision. */
interface KeptRights {
  readonly revision: number;
  readonly profiles: readonly SecurityDocument<ProfileContent>[];
  readonly roles: readonly SecurityDocument<RoleContent>[];
  readonly evaluator: RightsEvaluator;
}

export class SecurityRepository {
  /** By profile-id set (see rightsFor). */
  private readonly evaluators = new Map<string, KeptRights>();
  /** The key of each frozen profile-id array met: a cached user's is the same object on each of its requests. */
  private readonly keys = new WeakMap<readonly string[], string>();

  private constructor(
    readonly users: UserRepository,
    readonly profiles: ProfileRepository,
    readonly roles: RoleRepository,
    /** The mappings Kuzzle's `security:*Mapping` actions read and update. */
    readonly mappings: SecurityMappings,
    private readonly rightsCollections: readonly { readonly revision: number }[],
  ) {}

  static async open(options: SecurityRepositoryOptions): Promise<SecurityRepository> {
    const { bus, clusterBus } = options;
    const now = options.now ?? Date.now;
    const open = async <T extends UserContent | ProfileContent | RoleContent>(
      name: string,
      settings: Omit<SecurityCollectionOptions, 'now' | 'name' | 'clusterBus'>,
    ) =>
      new SecurityCollection<T>(await options.storage.collection<Stored<T>>(name), {
        ...settings,
        name,
        clusterBus,
        now,
      });

    const [users, profiles, roles, mappings] = await Promise.all([
      open<UserContent>('users', {
        cacheSize: USER_CACHE_SIZE,
        notFound: 'security.user.not_found',
        alreadyExists: 'security.user.already_exists',
        // user:created and user:deleted are emitted by whoever creates or deletes, once credentials are done too.
        onChange: ({ id, verb, actor }: SecurityChange) => {
          if (verb === 'updated') bus.emit('user:updated', { kuid: id, author: actor });
        },
      }),
      open<ProfileContent>('profiles', {
        cacheSize: RIGHTS_CACHE_SIZE,
        notFound: 'security.profile.not_found',
        onChange: ({ id, verb, actor }: SecurityChange) =>
          bus.emit(`profile:${verb}`, { profileId: id, author: actor }),
      }),
      open<RoleContent>('roles', {
        cacheSize: RIGHTS_CACHE_SIZE,
        notFound: 'security.role.not_found',
        onChange: ({ id, verb, actor }: SecurityChange) =>
          bus.emit(`role:${verb}`, { roleId: id, author: actor }),
      }),
      SecurityMappings.open(options.storage),
    ]);
    const userRepository = new UserRepository(users, profiles);
    return new SecurityRepository(
      userRepository,
      new ProfileRepository(profiles, roles, userRepository),
      new RoleRepository(roles, profiles, { registry: options.registry, log: options.log }),
      mappings,
      [profiles, roles],
    );
  }

  /**
   * Changes with every write (or invalidation) of a profile or a role: what a user's profiles grant is the same
   * for as long as it does not change. Users are not counted: their own cache entry goes when they are written.
   */
  get rightsRevision(): number {
    return this.rightsCollections.reduce((sum, collection) => sum + collection.revision, 0);
  }

  /** Whether some user has the `admin` profile. */
  adminExists(): Promise<boolean> {
    return this.users.adminExists();
  }

  /**
   * The rights of a user with these profiles; the funnel asks on every request. Profiles and roles come from
   * the cache, so once they are warm this reads nothing from the store. A profile or role that no longer
   * exists grants nothing.
   *
   * The evaluator is kept per set of profiles and served again while the rights revision is the same (no
   * profile or role was written or invalidated, here or, through the cluster bus, elsewhere) and every
   * document it was built from is still the one cached: a document that left the cache (its staleness bound
   * passed, the node is cut from the cluster) is read again, as without this cache. So a role change applies
   * to the very next request, as before.
   */
  async rightsFor(user: { readonly profileIds: readonly string[] }): Promise<RightsEvaluator> {
    const kept = this.keptRights(user.profileIds);
    if (kept !== undefined) return kept;
    const key = this.profilesKey(user.profileIds);
    const revision = this.rightsRevision;
    const { profiles, roles } = await this.rightsDocuments(user.profileIds);
    const evaluator = createRightsEvaluator(sourceOf(profiles, roles));
    // A profile or role written meanwhile may have changed the answer: keep it only if nothing was.
    if (this.rightsRevision === revision) {
      if (this.evaluators.size >= EVALUATOR_CACHE_SIZE && !this.evaluators.has(key)) {
        this.evaluators.delete(this.evaluators.keys().next().value!);
      }
      this.evaluators.set(key, { revision, profiles, roles, evaluator });
    }
    return evaluator;
  }

  /** What `rightsFor` answers at once when it has them, else undefined: the funnel's common case needs no await. */
  keptRights(profileIds: readonly string[]): RightsEvaluator | undefined {
    const kept = this.evaluators.get(this.profilesKey(profileIds));
    const current = kept !== undefined && kept.revision === this.rightsRevision && this.stillCached(kept);
    return current ? kept.evaluator : undefined;
  }

  /** The profiles and roles behind `profileIds`, for the pure functions of `rights`. */
  async rightsSource(profileIds: readonly string[]): Promise<RightsSource> {
    const { profiles, roles } = await this.rightsDocuments(profileIds);
    return sourceOf(profiles, roles);
  }

  private async rightsDocuments(profileIds: readonly string[]): Promise<{
    profiles: SecurityDocument<ProfileContent>[];
    roles: SecurityDocument<RoleContent>[];
  }> {
    const profiles = await this.profiles.mGet(profileIds);
    const roleIds = new Set(
      profiles.flatMap((profile) => profile._source.policies.map((policy) => policy.roleId)),
    );
    return { profiles, roles: await this.roles.mGet([...roleIds]) };
  }

  private profilesKey(profileIds: readonly string[]): string {
    let key = this.keys.get(profileIds);
    if (key === undefined) {
      key = JSON.stringify(profileIds);
      // An array that can still change must not keep the key of what it held.
      if (Object.isFrozen(profileIds)) this.keys.set(profileIds, key);
    }
    return key;
  }

  /** Cached documents are frozen and replaced, never changed: the same object is the same content. */
  private stillCached(kept: KeptRights): boolean {
    return (
      kept.profiles.every((profile) => this.profiles.peek(profile._id) === profile) &&
      kept.roles.every((role) => this.roles.peek(role._id) === role)
    );
  }

  /** Forgets every cached user, profile and role on this node (the other nodes' writes reach the caches themselves). */
  invalidateCache(): void {
    this.users.invalidateCache();
    this.profiles.invalidateCache();
    this.roles.invalidateCache();
  }
}

function sourceOf(
  profiles: readonly SecurityDocument<ProfileContent>[],
  roles: readonly SecurityDocument<RoleContent>[],
): RightsSource {
  return {
    profiles: profiles.map((profile) => profile._source),
    roles: new Map(roles.map((role) => [role._id, role._source])),
  };
}
