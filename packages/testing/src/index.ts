export { describeStoreConformance, type StoreConformanceOptions } from './store-conformance';
export { mergeOverrides, startTestKernel, type TestKernel, type TestKernelOptions } from './test-kernel';
export { createRecordingLogger, type LogLine } from './recording-logger';
export {
  describeStrategyConformance,
  type StrategyConformanceKernel,
  type StrategyConformanceOptions,
  type StrategyLoginAttempt,
} from './strategy-conformance';
export { recordStoreWrites, type StoreWrite } from './recording-store';
export { apiRequest, wireError, type ApiRequestOptions } from './api-request';
export { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from './postgres-database';
export { expectPluginErrorsDocumented } from './plugin-errors-docs';
export { createTcpProxy, type TcpProxy } from './tcp-proxy';
export { startTestCluster, type TestCluster, type TestClusterOptions } from './test-cluster';
export { fuzzParameters, type FuzzParameters } from './fuzz-parameters';
export {
  createPluginTestContext,
  type PluginTestContext,
  type PluginTestContextOptions,
  type AccountCall,
} from './plugin-test-context';
// What a plugin test context answers, so that plugin tests need nothing of the kernel's.
export type { AuthenticationOutcome, RegisteredStrategy } from '@tessera/kernel';
