export { backoffDelay, type BackoffPolicy } from './backoff.js';
export { QUEUE_DEFAULTS, MAX_SHARDS, resolveQueueOptions, type ResolvedQueueOptions } from './queue-options.js';
export { prepareTask, assertLease, errorMessage, type PreparedTask } from './queue-input.js';
export { BaseQueue, MAX_BATCH, type FailDecision } from './base-queue.js';
