import type { RwLockHandle, SemaphoreHandle } from '../interfaces/index.js';
import { ManagedLock, type LockContext } from './managed-lock.js';

/** Where a new handle starts: its token, its fence, and the time its local deadline counts from. */
export interface HandleStart {
  token: string;
  fence: number;
  /** Caller's clock (ms), no later than when the grant's TTL started. */
  since: number;
}

/** Permits held from a semaphore: a ManagedLock (expiry, auto-extension, lost signal) that knows its permits. */
export class ManagedSemaphore extends ManagedLock implements SemaphoreHandle {
  constructor(
    ctx: LockContext,
    resource: string,
    start: HandleStart,
    ttlMs: number,
    autoExtend: boolean,
    readonly permits: number,
    readonly limit: number,
  ) {
    super(ctx, resource, start.token, start.fence, ttlMs, start.since, autoExtend);
  }
}

/** A held read or write lock: a ManagedLock (expiry, auto-extension, lost signal) that knows its mode. */
export class ManagedRwLock extends ManagedLock implements RwLockHandle {
  constructor(
    ctx: LockContext,
    resource: string,
    start: HandleStart,
    ttlMs: number,
    autoExtend: boolean,
    readonly mode: 'read' | 'write',
  ) {
    super(ctx, resource, start.token, start.fence, ttlMs, start.since, autoExtend);
  }
}
