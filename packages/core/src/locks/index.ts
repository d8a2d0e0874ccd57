export type { LockGrant, LockStore } from './lock-store.js';
export { ManagedLock, type LockContext } from './managed-lock.js';
export { StoreLockManager, LOCK_DEFAULTS } from './store-lock-manager.js';
