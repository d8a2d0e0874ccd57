export type { LockGrant, LockStore } from './lock-store.js';
export { ManagedLock, type LockContext } from './managed-lock.js';
export { StoreLockManager, LOCK_DEFAULTS, newLockToken } from './store-lock-manager.js';
