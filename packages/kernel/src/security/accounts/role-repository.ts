/**
 * RoleRepository: the roles of the kernel namespace (reference §3.4). Reads go through the cache of their
 * SecurityCollection, since every request's rights check reads the roles of its user's profiles.
 */
import {
  tesseraError,
  type JsonObject,
  type SearchBody,
  type SearchOptions,
  type SearchResult,
} from '@tessera/plugin-sdk';
import { PROTECTED_IDS, type ProfileContent, type RoleContent, type SecurityDocument } from '../model';
import type { Actor, SecurityCollection, Stored } from './security-collection';
import { validateRole, type RoleValidationContext, type RoleValidationOptions } from './validate-role';

export class RoleRepository {
  constructor(
    private readonly roles: SecurityCollection<RoleContent>,
    private readonly profiles: SecurityCollection<ProfileContent>,
    private readonly context: RoleValidationContext,
  ) {}

  find(id: string): Promise<SecurityDocument<RoleContent> | null> {
    return this.roles.find(id);
  }

  /** `security.role.not_found` when there is no such role. */
  get(id: string): Promise<SecurityDocument<RoleContent>> {
    return this.roles.get(id);
  }

  mGet(ids: readonly string[]): Promise<SecurityDocument<RoleContent>[]> {
    return this.roles.mGet(ids);
  }

  search(body?: SearchBody, options?: SearchOptions): Promise<SearchResult<Stored<RoleContent>>> {
    return this.roles.search(body, options);
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

  async delete(id: string): Promise<void> {
    if (PROTECTED_IDS.has(id)) throw tesseraError('security.role.cannot_delete');
    await this.roles.get(id);
    // A scan, not a query: the store cannot match a field inside an array of objects (`policies.roleId`).
    for await (const profile of this.profiles.scan()) {
      if (profile._source.policies.some((policy) => policy.roleId === id)) {
        throw tesseraError('security.role.in_use', id);
      }
    }
    await this.roles.delete(id);
  }

  invalidateCache(id?: string): void {
    this.roles.invalidate(id);
  }
}
