export { createMetrics, type Metrics, type MetricsConfig } from './metrics';
