import { ClosedError } from '@baton/core';
import type { LockGrant, PermitRequest, PermitState, PermitStore } from '@baton/core/adapter';
import type { BackendScope } from './backend-scope.js';
import { timerAt } from './clock-timer.js';
import type { PermitRecord } from './permit-record.js';

/** Which resources a permit store serves: semaphores and read/write locks of one name are separate. */
export type PermitKind = 'semaphore' | 'rwlock';

/**
 * Core's PermitStore over a MemoryStore (see PermitRecord for the rules). Nobody polls: a release,
 * a departure from the line or (through a store timer at the first expiry while someone waits) a
 * grant running out hands the permits to the next waiters and wakes them.
 */
export class MemoryPermitStore implements PermitStore {
  constructor(
    private readonly scope: BackendScope,
    private readonly kind: PermitKind,
  ) {}

  /** See PermitStore.tryAcquire. */
  async tryAcquire(resource: string, token: string, request: PermitRequest, queue = false): Promise<number | LockGrant | null> {
    this.scope.assertOpen();
    return this.step(resource, (record, now) => record.tryAcquire(token, request, queue, now));
  }

  /** See PermitStore.extend. */
  async extend(resource: string, token: string, ttlMs: number): Promise<boolean> {
    this.scope.assertOpen();
    return this.step(resource, (record, now) => record.extend(token, ttlMs, now));
  }

  /** See PermitStore.release. */
  async release(resource: string, token: string): Promise<boolean> {
    this.scope.assertOpen();
    return this.step(resource, (record, now) => record.release(token, now));
  }

  /** See PermitStore.leaveQueue. Works after close too, so a closed backend's waiter never holds up the line. */
  leaveQueue(resource: string, token: string): void {
    this.step(resource, (record, now) => record.leave(token, now));
  }

  /** See PermitStore.inspect. */
  async inspect(resource: string): Promise<PermitState> {
    this.scope.assertOpen();
    return this.record(resource).inspect(this.scope.clock.now());
  }

  /**
   * See PermitStore.waitForRelease: resolves the grant as soon as permits are handed to `token`,
   * or nothing after `timeoutMs`; rejects with the signal's reason on abort and with ClosedError
   * when the backend closes. A caller not in line just sleeps.
   */
  waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void> {
    if (this.scope.closed) return Promise.reject(new ClosedError('memory backend'));
    if (signal.aborted) return Promise.reject(signal.reason);
    const record = this.record(resource);
    const handed = record.take(token);
    if (handed) return Promise.resolve(handed);
    return new Promise<LockGrant | void>((resolve, reject) => {
      let done = false;
      const settle = (grant: LockGrant | undefined, error?: unknown): void => {
        if (done) return;
        done = true;
        record.onGranted(token, undefined);
        timeout.cancel();
        untrack();
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve(grant);
        else reject(error);
      };
      const onAbort = (): void => settle(undefined, signal.reason ?? new Error('aborted'));
      const timeout = timerAt(this.scope.clock, this.scope.clock.now() + timeoutMs, () => settle(undefined));
      const untrack = this.scope.onClose(() => settle(undefined, new ClosedError('memory backend')));
      signal.addEventListener('abort', onAbort, { once: true });
      record.onGranted(token, () => settle(record.take(token)));
    });
  }

  private record(resource: string): PermitRecord {
    return this.scope.store.permits(this.kind, resource);
  }

  // One step on the record, then the store timer that settles it when the first grant runs out
  // while someone waits (a crashed holder's permits come back without anyone calling).
  private step<T>(resource: string, fn: (record: PermitRecord, now: number) => T): T {
    const record = this.record(resource);
    try {
      return fn(record, this.scope.clock.now());
    } finally {
      this.watchExpiry(resource, record);
    }
  }

  private watchExpiry(resource: string, record: PermitRecord): void {
    this.scope.store.schedule(`${this.kind}:${resource}`, this.scope.clock, record.wakeAt(), () => {
      record.settle(this.scope.clock.now());
      this.watchExpiry(resource, record);
    });
  }
}
