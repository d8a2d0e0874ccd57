export { runBackendConformance } from './run-backend-conformance.js';
export type { BackendFactory, ConformanceCapabilities, ConformanceContext, ConformanceOptions } from './harness.js';
export { Harness, ALL_CAPABILITIES } from './harness.js';
