/**
 * ProfileRepository: the profiles of the kernel namespace (reference §3.3). Reads go through the cache of
 * their SecurityCollection, since every request's rights check reads its user's profiles.
 */
import { tesseraError, type JsonObject } from '@tessera/plugin-sdk';
import { PROTECTED_IDS, type ProfileContent, type RoleContent, type SecurityDocument } from '../model';
import type { Actor, SecurityCollection } from './security-collection';
import { SecurityReads } from './security-reads';
import type { UserRepository } from './user-repository';
import { validateProfile } from './validate-profile';

export interface DeleteProfileOptions {
  /** `fail` (default): `security.profile.in_use` while a user has it; `remove`: take it away from them first. */
  readonly onAssignedUsers?: 'fail' | 'remove';
}

export class ProfileRepository extends SecurityReads<ProfileContent> {
  constructor(
    private readonly profiles: SecurityCollection<ProfileContent>,
    private readonly roles: SecurityCollection<RoleContent>,
    private readonly users: UserRepository,
  ) {
    super(profiles);
  }

  /** A taken id is `services.storage.document_already_exists`, as Kuzzle. */
  async create(id: string, body: JsonObject, actor: Actor): Promise<SecurityDocument<ProfileContent>> {
    return this.profiles.create(id, await this.read(id, body), actor);
  }

  async createOrReplace(
    id: string,
    body: JsonObject,
    actor: Actor,
  ): Promise<SecurityDocument<ProfileContent>> {
    return this.profiles.createOrReplace(id, await this.read(id, body), actor);
  }

  /** updateProfile: a top-level merge `{...old, ...changes}`, then the whole profile is validated again. */
  update(id: string, changes: JsonObject, actor: Actor): Promise<SecurityDocument<ProfileContent>> {
    return this.profiles.update(id, (current) => this.read(id, { ...current, ...changes }), actor);
  }

  async delete(id: string, actor: Actor, options: DeleteProfileOptions = {}): Promise<void> {
    if (PROTECTED_IDS.has(id)) throw tesseraError('security.profile.cannot_delete');
    await this.profiles.get(id);
    if (options.onAssignedUsers === 'remove') await this.users.removeProfile(id, actor);
    else if ((await this.users.countWithProfile(id)) > 0) throw tesseraError('security.profile.in_use', id);
    await this.profiles.delete(id, actor);
  }

  invalidateCache(id?: string): void {
    this.profiles.invalidate(id);
  }

  private async read(id: string, body: JsonObject): Promise<ProfileContent> {
    const profile = validateProfile(id, body);
    await this.roles.assertExist(profile.policies.map((policy) => policy.roleId));
    return profile;
  }
}
