export { BatonMetrics, type BatonMetricsOptions } from './baton-metrics.js';
export { metricsHandler } from './metrics-handler.js';
export { TASK_SECONDS_BUCKETS, LOCK_WAIT_SECONDS_BUCKETS } from './buckets.js';
