/**
 * bootstrapSecurity: the roles and profiles a fresh store starts with (reference §4.3). Roles admin, default
 * and anonymous all allow everything, and each has a profile of the same name: until the standard rights are
 * applied (createFirstAdmin with `reset`, restrictDefaultRights), an anonymous client must be able to create
 * the first admin.
 *
 * Safe to run on every start and on several nodes at once: each document is created only when missing, and a
 * conflict means another node created it first. That also completes a bootstrap interrupted halfway.
 */
import { isTesseraError } from '@tessera/plugin-sdk';
import type { ProfileContent, RoleContent } from '../model';
import type { SecurityRepository } from './security-repository';

export interface BootstrapResult {
  /** The ids this call created; both empty when the store was bootstrapped already. */
  readonly roles: string[];
  readonly profiles: string[];
}

const BOOTSTRAP_IDS = ['admin', 'default', 'anonymous'] as const;

const ALLOW_EVERYTHING: RoleContent = { controllers: { '*': { actions: { '*': true } } } };

function bootstrapProfile(id: string): ProfileContent {
  const policies = [{ roleId: id }];
  return id === 'admin' ? { policies, rateLimit: 0 } : { policies };
}

export async function bootstrapSecurity(repo: SecurityRepository): Promise<BootstrapResult> {
  // Roles first: a profile can only name existing roles.
  const roles = await createMissing((id) =>
    repo.roles.create(id, ALLOW_EVERYTHING, null, { skipRegistryCheck: true }),
  );
  const profiles = await createMissing((id) => repo.profiles.create(id, bootstrapProfile(id), null));
  return { roles, profiles };
}

/** Runs `create` for every bootstrap id; returns the ids it created, those that existed already left out. */
async function createMissing(create: (id: string) => Promise<unknown>): Promise<string[]> {
  const created = await Promise.all(
    BOOTSTRAP_IDS.map(async (id) => {
      try {
        await create(id);
        return id;
      } catch (error) {
        if (isTesseraError(error) && error.id === 'services.storage.document_already_exists') return null;
        throw error;
      }
    }),
  );
  return created.filter((id) => id !== null);
}
