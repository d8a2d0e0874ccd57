export { enableTracing } from './enable-tracing.js';
export { tracingHooks, TRACER_NAME, type TracingOptions } from './tracing-hooks.js';
