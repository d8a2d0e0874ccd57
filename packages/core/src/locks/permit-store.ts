import type { LockGrant } from './lock-store.js';

/** Largest semaphore limit, and the permits a write lock takes (read/write locks are permits underneath). */
export const MAX_PERMITS = 2 ** 31 - 1;

/** One acquisition asked of a PermitStore. Core has checked it: integers, 1 <= permits <= limit <= MAX_PERMITS. */
export interface PermitRequest {
  /** Permits taken at once. */
  permits: number;
  /** The resource's capacity as the caller knows it. */
  limit: number;
  /** TTL of the grant (ms). */
  ttlMs: number;
  /**
   * True: the acquisition increments the resource's fence counter and gets the new value (every
   * semaphore acquisition; write locks). False: it gets the counter's current value, 0 before the
   * first increment (read locks).
   */
  bumpsFence: boolean;
}

/** A live grant, as `inspect` reports it (never its token). */
export interface PermitHolder {
  permits: number;
  fence: number;
  /** Time left before the grant runs out (ms, by the store's clock). */
  expiresInMs: number;
}

/** A resource's grants and waiters at one moment. */
export interface PermitState {
  /** The limit in force: that of the live grants and waiters; null when there are none. */
  limit: number | null;
  /** Live grants, the first to expire first. */
  holders: PermitHolder[];
  /** Waiters in the order they will be served. */
  waiters: Array<{ permits: number }>;
}

/**
 * The primitive steps a backend implements for counting semaphores and read/write locks (a read
 * lock is 1 permit, a write lock MAX_PERMITS of a resource whose limit is MAX_PERMITS); core
 * builds the managers, handles, auto-extension, lost signals and `with…` helpers on top. A backend
 * makes one store per kind ('semaphore', 'rwlock'), so the two never share a resource. Each step
 * is atomic in the backend's storage and judges expiry by the storage's clock.
 *
 * The rules every step keeps:
 * - A grant runs out `ttlMs` after it was made or last extended; an expired grant holds nothing.
 * - Permits held by live grants never exceed the limit.
 * - Waiters are served strictly in order of arrival: the first in line is granted as soon as its
 *   permits fit, then the next, and nobody passes a waiter that does not fit yet.
 * - The fence counter of a resource never goes back, even when the resource is idle.
 * - The limit in force is that of the live grants and waiters; with none, the next acquisition sets it.
 */
export interface PermitStore {
  /**
   * If nobody waits before `token` and `request.permits` fit under the limit, grants them to
   * `token` for `request.ttlMs` and resolves the grant's fence (see PermitRequest.bumpsFence).
   * Resolves null otherwise. With `queue`, a caller that is not granted takes (or keeps) its place
   * in line in the same step, and may resolve a LockGrant when the permits were already handed to
   * `token` by another step. Throws SemaphoreLimitError when the limit in force differs from
   * `request.limit`. @default queue false
   */
  tryAcquire(resource: string, token: string, request: PermitRequest, queue?: boolean): Promise<number | LockGrant | null>;
  /** Resets the TTL of `token`'s grant to `ttlMs` from now if it is still live; false otherwise. */
  extend(resource: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives `token`'s permits back (waiters that now fit are granted, in order); false when its grant was not live. */
  release(resource: string, token: string): Promise<boolean>;
  /**
   * Waits until `token` (in line after a tryAcquire with `queue`) may have been granted or
   * `timeoutMs` passed. Resolves a LockGrant when the permits were handed to `token` (the caller
   * then holds them), else nothing (try again). Never rejects on timeout; rejects with the
   * signal's reason when it aborts, ClosedError when the backend closes.
   */
  waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void>;
  /**
   * Takes `token` out of line (it gave up or acquired); permits handed to it that it did not take
   * are given back. May return a promise that settles once it is out of line (see LockStore.leaveQueue).
   */
  leaveQueue?(resource: string, token: string): void | Promise<void>;
  /** The resource's live grants and waiters. Changes nothing. */
  inspect(resource: string): Promise<PermitState>;
}
