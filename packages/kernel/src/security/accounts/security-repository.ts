/**
 * SecurityRepository: users, profiles and roles of the kernel namespace, and the rights they give. It builds
 * the three repositories over one set of collections, so each sees the others' writes, and answers the
 * funnel's question on every request: what may this user do (`rightsFor`).
 */
import type { Logger, StorageNamespace } from '@tessera/plugin-sdk';
import type { ActionRegistry } from '../../api/action-registry';
import type { ProfileContent, RoleContent, UserContent } from '../model';
import { ProfileRepository } from './profile-repository';
import { createRightsEvaluator, type RightsEvaluator, type RightsSource } from './rights';
import { RoleRepository } from './role-repository';
import { SecurityCollection, type SecurityCollectionOptions, type Stored } from './security-collection';
import { SecurityMappings } from './security-mappings';
import { UserRepository } from './user-repository';

export interface SecurityRepositoryOptions {
  /** The kernel's storage namespace; no plugin can reach it. */
  readonly storage: StorageNamespace;
  /** Roles are checked against the registered controllers and actions. */
  readonly registry: Pick<ActionRegistry, 'find' | 'isDeclaredRight'>;
  readonly log: Logger;
  /** The clock of the `_kuzzle_info` stamps. */
  readonly now?: () => number;
}

/** Users kept in memory: every authenticated request reads its user; 10,000 users are a few megabytes. */
const USER_CACHE_SIZE = 10_000;

export class SecurityRepository {
  private constructor(
    readonly users: UserRepository,
    readonly profiles: ProfileRepository,
    readonly roles: RoleRepository,
    /** The mappings Kuzzle's `security:*Mapping` actions read and update. */
    readonly mappings: SecurityMappings,
    private readonly rightsCollections: readonly { readonly revision: number }[],
  ) {}

  static async open(options: SecurityRepositoryOptions): Promise<SecurityRepository> {
    const now = options.now ?? Date.now;
    const open = async <T extends UserContent | ProfileContent | RoleContent>(
      name: string,
      settings: Omit<SecurityCollectionOptions, 'now'>,
    ) => new SecurityCollection<T>(await options.storage.collection<Stored<T>>(name), { ...settings, now });

    const [users, profiles, roles, mappings] = await Promise.all([
      open<UserContent>('users', {
        cacheSize: USER_CACHE_SIZE,
        notFound: 'security.user.not_found',
        alreadyExists: 'security.user.already_exists',
      }),
      open<ProfileContent>('profiles', { cacheSize: Infinity, notFound: 'security.profile.not_found' }),
      open<RoleContent>('roles', { cacheSize: Infinity, notFound: 'security.role.not_found' }),
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
   */
  async rightsFor(user: { readonly profileIds: readonly string[] }): Promise<RightsEvaluator> {
    return createRightsEvaluator(await this.rightsSource(user.profileIds));
  }

  /** The profiles and roles behind `profileIds`, for the pure functions of `rights`. */
  async rightsSource(profileIds: readonly string[]): Promise<RightsSource> {
    const profiles = (await this.profiles.mGet(profileIds)).map((profile) => profile._source);
    const roleIds = new Set(profiles.flatMap((profile) => profile.policies.map((policy) => policy.roleId)));
    const roles = await this.roles.mGet([...roleIds]);
    return { profiles, roles: new Map(roles.map((role) => [role._id, role._source])) };
  }

  /** Forgets every cached user, profile and role: for the cluster's invalidation messages, when they come. */
  invalidateCache(): void {
    this.users.invalidateCache();
    this.profiles.invalidateCache();
    this.roles.invalidateCache();
  }
}
