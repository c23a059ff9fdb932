export { describeStoreConformance, type StoreConformanceOptions } from './store-conformance';
export { startTestKernel, type TestKernel, type TestKernelOptions } from './test-kernel';
export { createRecordingLogger, type LogLine } from './recording-logger';
