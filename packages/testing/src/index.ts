export { describeStoreConformance, type StoreConformanceOptions } from './store-conformance';
export { startTestKernel, type TestKernel, type TestKernelOptions } from './test-kernel';
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
