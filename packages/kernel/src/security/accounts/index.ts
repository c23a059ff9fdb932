export { SecurityRepository, type SecurityRepositoryOptions } from './security-repository';
export { UserRepository, type CreateUserOptions } from './user-repository';
export { ProfileRepository, type DeleteProfileOptions } from './profile-repository';
export { RoleRepository } from './role-repository';
export { SecurityMappings, DEFAULT_MAPPINGS, type MappedCollection } from './security-mappings';
export type { Mapping } from './mapping';
export type { Actor, Stored } from './security-collection';
export { validateRole, type RoleValidationOptions, type RoleValidationContext } from './validate-role';
export { validateProfile } from './validate-profile';
export { generateKuid, type KuidFormat } from './generate-kuid';
export {
  isActionAllowed,
  isRoleActionAllowed,
  checkRestrictions,
  computeRights,
  effectiveRateLimit,
  createRightsEvaluator,
  type ActionTarget,
  type RightItem,
  type RightsEvaluator,
  type RightsSource,
} from './rights';
export { bootstrapSecurity, type BootstrapResult } from './bootstrap-security';
export { applyStandardRights, STANDARD_ROLES, STANDARD_PROFILES } from './apply-standard-rights';
