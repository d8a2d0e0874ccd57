// The adapter kit: what a backend is built from. Applications use the '@baton/core' entry; a
// backend imports the interfaces, errors and Clock from there and the parts below from here.

// Queues: the store a backend implements and the Queue core builds on it.
export type { QueueStore, QueueStoreSupport, QueueSubscription, FailDecision, LeaseRef, LeaseWait, StorePage } from '../queue/index.js';
export { StoreQueue, type StoreQueueContext } from '../queue/index.js';
export { resolveQueueOptions, prepareTask, assertLease, errorMessage, backoffDelay } from '../queue/index.js';
export { PURGE_BATCH, MAX_LIST_LIMIT, assertTaskState, encodeCursor, decodeCursor } from '../queue/index.js';
export type { ResolvedQueueOptions, ResolvedLimits, PreparedTask, BackoffPolicy } from '../queue/index.js';

// Locks: the store a backend implements and the LockManager core builds on it.
export type { LockStore, LockStoreState, LockGrant, LockContext, HeldStore } from '../locks/index.js';
export { StoreLockManager, ManagedLock } from '../locks/index.js';

// Semaphores and read/write locks: the one store a backend implements for both, and the managers
// core builds on it (a backend makes one store per kind).
export type { PermitStore, PermitRequest, PermitState, PermitHolder } from '../locks/index.js';
export { StoreSemaphoreManager, StoreRwLockManager } from '../locks/index.js';

// Registries: the heartbeat loop, the node checks and the watch of a group whose events arrive on a channel.
export { HeartbeatRegistration, prepareNode, type HeartbeatSteps } from '../registry/index.js';
export { GroupWatch, type GroupEventSource, type GroupEventMessage, type GroupSnapshot, type GroupWatchContext } from '../registry/index.js';

// Backend plumbing: open/closed state and cleanups, the DI module, argument checks, ids.
export { BackendLifecycle } from '../lifecycle/index.js';
export { backendModule, type BackendModuleOptions } from '../di/index.js';
export {
  assertName,
  assertPositiveInt,
  assertNonNegativeInt,
  positiveIntOr,
  nonNegativeIntOr,
  assertOptionsObject,
  serializePayload,
} from '../validation/index.js';
export { newTaskId, newToken } from '../ids/index.js';
