/**
 * RoleRepository: the roles of the kernel namespace (reference §3.4). Reads go through the cache of their
 * SecurityCollection, since every request's rights check reads the roles of its user's profiles.
 */
import { tesseraError, type JsonObject } from '@tessera/plugin-sdk';
import { PROTECTED_IDS, type ProfileContent, type RoleContent, type SecurityDocument } from '../model';
import type { Actor, SecurityCollection } from './security-collection';
import { SecurityReads } from './security-reads';
import { validateRole, type RoleValidationContext, type RoleValidationOptions } from './validate-role';

export class RoleRepository extends SecurityReads<RoleContent> {
  constructor(
    private readonly roles: SecurityCollection<RoleContent>,
    private readonly profiles: SecurityCollection<ProfileContent>,
    private readonly context: RoleValidationContext,
  ) {
    super(roles);
  }

  /** A taken id is `services.storage.document_already_exists`, as Kuzzle. */
  async create(
    id: string,
    body: JsonObject,
    actor: Actor,
    options?: RoleValidationOptions,
  ): Promise<SecurityDocument<RoleContent>> {
    return this.roles.create(id, validateRole(id, body, this.context, options), actor);
  }

  async createOrReplace(
    id: string,
    body: JsonObject,
    actor: Actor,
    options?: RoleValidationOptions,
  ): Promise<SecurityDocument<RoleContent>> {
    return this.roles.createOrReplace(id, validateRole(id, body, this.context, options), actor);
  }

  /** updateRole: as Kuzzle, the body replaces the whole content (no merge); creation stamps are kept. */
  async update(
    id: string,
    body: JsonObject,
    actor: Actor,
    options?: RoleValidationOptions,
  ): Promise<SecurityDocument<RoleContent>> {
    return this.roles.update(id, () => validateRole(id, body, this.context, options), actor);
  }

  async delete(id: string, actor: Actor = null): Promise<void> {
    if (PROTECTED_IDS.has(id)) throw tesseraError('security.role.cannot_delete');
    await this.roles.get(id);
    // A scan, not a query: the store cannot match a field inside an array of objects (`policies.roleId`).
    for await (const profile of this.profiles.scan()) {
      if (profile._source.policies.some((policy) => policy.roleId === id)) {
        throw tesseraError('security.role.in_use', id);
      }
    }
    await this.roles.delete(id, actor);
  }

  invalidateCache(id?: string): void {
    this.roles.invalidate(id);
  }
}
