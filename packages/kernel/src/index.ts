export { createKernel, KERNEL_VERSION, type Kernel, type KernelOptions } from './kernel';
export type { KernelExtension, KernelExtensionContext } from './kernel-extension';
export type { ServiceProbe } from './controllers/server/service-probe';
export type { NodeMetrics } from './controllers/server/node-metrics';
export { createEventBus, type KernelEventBus } from './events/event-bus';
export { Request, type ResponseEnvelope } from './api/request';
export { requestFromEnvelope, isPlainObject, MAX_NESTING_DEPTH } from './api/envelope';
export { arg, parseArgs, type ArgSpec, type ArgsSchema, type ArgsOf } from './api/args';
export {
  ActionRegistry,
  defineAction,
  type ActionDefinition,
  type HttpRoute,
  type HttpVerb,
  type PublicApi,
  type RegisteredRoute,
} from './api/action-registry';
export { Funnel, type FunnelOptions, type RequestAuthorizer } from './api/funnel';
export { ConcurrencyGate } from './api/concurrency-gate';
export * from './config';
export { maskedConfig } from './controllers/server/masked-config';
export * from './logging';
export * from './plugins';
export * from './security/strategies';
// The Store port moved to @tessera/store; re-exported so code written against the kernel's surface keeps working.
export type {
  CollectionRef,
  FieldPath,
  Scalar,
  Filter,
  SortField,
  SearchQuery,
  StoreAdapter,
  QueryLang,
  SearchLimits,
} from '@tessera/store';
export {
  parseSearch,
  parseFilter,
  parseBodyFilter,
  assertFieldPath,
  DEFAULT_SEARCH_LIMITS,
  createStorageNamespace,
  validateNamespace,
  deepMerge,
} from '@tessera/store';
// The funnel's authorize step and what it is built from, for the in-process token-check figure of `npm run bench`.
export { createTokenAuthorizer } from './security/token-authorizer';
export { TokenManager } from './security/tokens';
export { SecurityRepository } from './security/accounts';
export { RequestRateLimiter } from './security/request-rate-limiter';
