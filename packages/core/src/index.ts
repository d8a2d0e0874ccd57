// What applications use. What backend authors use (stores, core's queue and lock manager over
// them, lifecycle, validation, ids) is the '@baton/core/adapter' entry (src/adapter/index.ts).
export * from './errors/index.js';
export * from './clock/index.js';
export * from './interfaces/index.js';
export * from './scheduler/index.js';
export * from './election/index.js';
export { TOKENS } from './di/index.js';
export {
  instrument,
  isInstrumented,
  type Instrumentation,
  type EnqueueCall,
  type EnqueuingTask,
  type TaskRun,
  type LockWait,
} from './instrumentation/index.js';
export { MAX_NAME_LENGTH, MIN_PRIORITY, MAX_PRIORITY, MAX_HEADERS_BYTES, MAX_PROGRESS_BYTES } from './validation/index.js';
export { QUEUE_DEFAULTS, MAX_SHARDS, MAX_BATCH, MAX_LIST_LIMIT, PURGE_BATCH, MAX_LIMIT, MAX_RATE_WINDOW_MS } from './queue/index.js';
export { LOCK_DEFAULTS, MAX_PERMITS } from './locks/index.js';
export { REGISTRY_DEFAULTS, MAX_META_ENTRIES } from './registry/index.js';
