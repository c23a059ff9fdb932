export { errorCatalog, type ErrorId, type ErrorSpec } from './errors/catalog';
export {
  TesseraError,
  tesseraError,
  isTesseraError,
  type SerializedError,
  type ResolvedError,
} from './errors/tessera-error';
export {
  definePluginErrors,
  PLUGIN_ERROR_SUBDOMAINS,
  type PluginErrors,
  type PluginErrorSpec,
} from './errors/plugin-errors';
export type {
  JsonValue,
  JsonObject,
  NewStoredDocument,
  StoredDocument,
  VersionedDocument,
  WriteCondition,
  SearchBody,
  SortSpec,
  SearchOptions,
  SearchResult,
  CollectionSpec,
  DocumentCollection,
  StorageNamespace,
} from './storage';
export { formatDuration, parseDuration } from './duration';
export {
  expected,
  type ConfigSchema,
  type ConfigOf,
  type ConfigIssue,
  type ConfigIssuePathSegment,
  type ConfigValidationResult,
} from './config-schema';
export { parseCookies, serializeCookie, type CookieAttributes } from './cookies';
export type { Protocol, ConnectionInfo, RequestInput, RequestUser, ApiRequest } from './request';
export type { LogLevel, LogFields, Logger } from './logger';
export type {
  TokenEvent,
  RevocationReason,
  Origin,
  DocumentNotification,
  UserNotification,
  RealtimeNotification,
  KernelEvents,
  ActionEventName,
  Unsubscribe,
  HookListener,
  PipeHandler,
  PayloadOf,
  EventBus,
} from './events';
export {
  definePlugin,
  type DeepReadonly,
  type PluginManifest,
  type PluginContext,
  type PluginDefinition,
  type PluginActionDefinition,
  type IdentitySummary,
  type ProfileSummary,
  type ExecutionOutcome,
  type PluginFormat,
  type TranslatedPlugin,
  type PluginNewUser,
  type CredentialsChange,
} from './plugin';
export type {
  PassportRequest,
  VerifyResult,
  PassportStrategyConstructor,
  PassportStrategy,
  PassportStrategyActions,
  StrategyMethods,
  StrategyDefinition,
  StrategyRegistrar,
} from './strategy';
