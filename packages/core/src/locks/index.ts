export type { LockGrant, LockStore, LockStoreState } from './lock-store.js';
export { ManagedLock, type LockContext, type HeldStore } from './managed-lock.js';
export { StoreLockManager, LOCK_DEFAULTS } from './store-lock-manager.js';
export { MAX_PERMITS, type PermitStore, type PermitRequest, type PermitState, type PermitHolder } from './permit-store.js';
export { StoreSemaphoreManager } from './store-semaphore-manager.js';
export { StoreRwLockManager } from './store-rwlock-manager.js';
export { ManagedSemaphore, ManagedRwLock, type HandleStart } from './permit-handles.js';
export { acquireInLine, runHolding, type QueueingStore, type Acquired } from './acquire-in-line.js';
