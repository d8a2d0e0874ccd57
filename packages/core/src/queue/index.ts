export { backoffDelay, type BackoffPolicy } from './backoff.js';
export { QUEUE_DEFAULTS, MAX_SHARDS, MAX_BATCH, resolveQueueOptions, type ResolvedQueueOptions } from './queue-options.js';
export { prepareTask, assertLease, errorMessage, type PreparedTask } from './queue-input.js';
export type { QueueStore, QueueStoreSupport, QueueSubscription, FailDecision, LeaseRef, LeaseWait, StorePage } from './queue-store.js';
export { MAX_LIST_LIMIT, PURGE_BATCH, assertTaskState, encodeCursor, decodeCursor } from './queue-inspection.js';
export { StoreQueue, type StoreQueueContext } from './store-queue.js';
export { MAX_LIMIT, MAX_RATE_WINDOW_MS, resolveLimits, type ResolvedLimits } from './queue-limits.js';
