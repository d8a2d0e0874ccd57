import { ClosedError } from '@baton/core';
import type { LockStore, LockStoreState } from '@baton/core/adapter';
import type { BackendScope } from './backend-scope.js';
import { timerAt, type ClockTimer } from './clock-timer.js';
import type { LockRecord, PendingLockWait } from './memory-store.js';

/**
 * Core's LockStore over a MemoryStore: an owner token with an expiry (clock time), a fence
 * counter per resource that only grows, and a queue of waiters served strictly in order of
 * arrival. Only the head waiter is woken, by a release, by `leaveQueue` of the waiter before it,
 * or by a clock timer at the holder's expiry; nobody polls, and nobody barges past the queue.
 */
export class MemoryLockStore implements LockStore {
  constructor(private readonly scope: BackendScope) {}

  /** Takes the lock if it is free (or expired) and `token` is not behind another waiter; the new fence, or null. */
  async tryAcquire(resource: string, token: string, ttlMs: number): Promise<number | null> {
    this.scope.assertOpen();
    const record = this.scope.store.lock(resource);
    const now = this.scope.clock.now();
    if (held(record, now)) return null;
    if (record.waiters.length > 0 && record.waiters[0] !== token) return null;
    record.owner = token;
    record.expiresAt = now + ttlMs;
    record.fence += 1;
    return record.fence;
  }

  /** Resets the expiry to now + `ttlMs` if `token` still holds the lock. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    this.scope.assertOpen();
    const record = this.scope.store.lock(resource);
    const now = this.scope.clock.now();
    if (record.owner !== token || !held(record, now)) return false;
    record.expiresAt = now + ttlMs;
    return true;
  }

  /** Frees the lock if `token` still holds it and wakes the head waiter; false when it was not held by `token`. */
  async release(resource: string, token: string): Promise<boolean> {
    this.scope.assertOpen();
    const record = this.scope.store.lock(resource);
    const now = this.scope.clock.now();
    if (record.owner !== token) return false;
    const wasHeld = held(record, now);
    record.owner = null;
    this.notify(record);
    return wasHeld;
  }

  /**
   * Queues `token` (keeping its place if it is queued already) and resolves when it is the head
   * and the lock is free, or after `timeoutMs`. Rejects with the signal's reason on abort, and
   * with ClosedError when the backend closes.
   */
  waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.scope.closed) return Promise.reject(new ClosedError('memory backend'));
    if (signal.aborted) return Promise.reject(signal.reason);
    const record = this.scope.store.lock(resource);
    if (!record.waiters.includes(token)) record.waiters.push(token);
    return new Promise<void>((resolve, reject) => {
      let done = false;
      let expiry: ClockTimer | undefined;
      let untrack: () => void = () => undefined;
      const settle = (error?: unknown): void => {
        if (done) return;
        done = true;
        if (record.pending.get(token) === pending) record.pending.delete(token);
        timeout.cancel();
        expiry?.cancel();
        untrack();
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => settle(signal.reason ?? new Error('aborted'));
      const pending: PendingLockWait = {
        wake: () => settle(),
        watchExpiry: (at) => {
          if (done || expiry?.at === at) return;
          expiry?.cancel();
          expiry = timerAt(this.scope.clock, at, () => {
            expiry = undefined;
            this.notify(record);
          });
        },
      };
      // Past the cap the wait just ends early; the lock manager asks again for the remaining time.
      const timeout = timerAt(this.scope.clock, this.scope.clock.now() + timeoutMs, () => settle());
      signal.addEventListener('abort', onAbort, { once: true });
      untrack = this.scope.onClose(() => {
        // A closed backend's waiter will never try again: let the next one be served.
        removeWaiter(record, token);
        settle(new ClosedError('memory backend'));
        this.notify(record);
      });
      record.pending.set(token, pending);
      this.notify(record);
    });
  }

  /** See LockStore.inspect: the record as it stands (an expired owner holds nothing). */
  async inspect(resource: string): Promise<LockStoreState> {
    this.scope.assertOpen();
    const record = this.scope.store.peekLock(resource);
    if (record === undefined) return { fence: 0, expiresInMs: null, waiters: 0 };
    const now = this.scope.clock.now();
    return { fence: record.fence, expiresInMs: held(record, now) ? record.expiresAt - now : null, waiters: record.waiters.length };
  }

  /** Forgets `token` as a waiter; wakes the next one if the lock is free. Works after close too. */
  leaveQueue(resource: string, token: string): void {
    const record = this.scope.store.lock(resource);
    if (!removeWaiter(record, token)) return;
    record.pending.get(token)?.wake();
    this.notify(record);
  }

  /** Wakes the head waiter if the lock is free, or has it watch the holder's expiry. */
  private notify(record: LockRecord): void {
    const head = record.waiters[0];
    if (head === undefined) return;
    const pending = record.pending.get(head);
    // A head between two waits is about to try the lock itself.
    if (!pending) return;
    if (held(record, this.scope.clock.now())) pending.watchExpiry(record.expiresAt);
    else pending.wake();
  }
}

function held(record: LockRecord, now: number): boolean {
  return record.owner !== null && record.expiresAt > now;
}

function removeWaiter(record: LockRecord, token: string): boolean {
  const index = record.waiters.indexOf(token);
  if (index < 0) return false;
  record.waiters.splice(index, 1);
  return true;
}
