/**
 * A lock given to a waiter by the holder's release (a hand-off): the waiter owns it from the
 * moment the store wrote its token, before the waiter hears of it.
 */
export interface LockGrant {
  /** The fence of this acquisition. */
  fence: number;
  /**
   * A time on the caller's clock (ms) no later than the moment the lock's TTL started: the
   * holder's local deadline is counted from here, so it runs out no later than the stored TTL.
   */
  grantedAfter: number;
}

/**
 * The primitive steps a backend implements for locks; core builds LockManager, handles,
 * auto-extension, lost-lock signals and withLock on top of them. Each step must be atomic.
 */
export interface LockStore {
  /**
   * If `resource` is free (and, for fair stores, `token` is not behind another waiter), stores
   * `token` as its owner for `ttlMs` and increments the resource's fence counter; resolves the
   * new fence. Resolves null when the lock is held. The fence counter is never reset.
   * With `queue`, a store that serves waiters in order of arrival puts a caller that does not get
   * the lock in line in the same step (it must then call waitForRelease or leaveQueue), and may
   * resolve a LockGrant when the lock was already handed to `token`. @default queue false
   */
  tryAcquire(resource: string, token: string, ttlMs: number, queue?: boolean): Promise<number | LockGrant | null>;
  /** Resets the TTL to `ttlMs` if `token` still owns `resource`; false otherwise. */
  extend(resource: string, token: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lock if `token` still owns it (and wakes waiters, or hands it to the next); false otherwise. */
  release(resource: string, token: string): Promise<boolean>;
  /**
   * Waits until `resource` may have become free (released, or its TTL ran out) or `timeoutMs`
   * passed, whichever is first; `token` identifies the waiter for stores that serve waiters in
   * order of arrival. Resolves a LockGrant when the store handed the lock to `token` (the caller
   * then holds it), else nothing (try again). Never rejects on timeout; rejects with the signal's
   * reason when it aborts.
   */
  waitForRelease(resource: string, token: string, timeoutMs: number, signal: AbortSignal): Promise<LockGrant | void>;
  /**
   * Forgets `token` as a waiter (it gave up or acquired); a no-op for stores without a waiter
   * queue. A lock handed to `token` that the caller did not take is passed on. A store whose
   * leaving takes a round trip may return a promise that settles once the waiter is out of line:
   * the manager waits for it before it reports a timeout, an abort or an error, so a release that
   * follows cannot hand the lock to a caller that already gave up.
   */
  leaveQueue?(resource: string, token: string): void | Promise<void>;
  /**
   * How much sooner than `ttlMs` after the request a holder must consider the lock lost (ms), for
   * stores whose TTL is counted on clocks that may drift from the caller's (Redlock). @default 0
   */
  clockDriftMs?(ttlMs: number): number;
  /**
   * Waits until `replicas` replicas acknowledged the acquisition of `token` (Redis WAIT), at most
   * `timeoutMs`; resolves how many did. Stores without replicas omit it (the option is ignored).
   */
  confirm?(resource: string, token: string, replicas: number, timeoutMs: number): Promise<number>;
  /**
   * Capability `lockInspection`: the resource's state in one read, changing nothing: the latest
   * fence (0 if never acquired), the time left to a live holder (ms, by the store's clock; null
   * while free or expired) and how many waiters are in line. Never the token.
   */
  inspect?(resource: string): Promise<LockStoreState>;
}

/** What LockStore.inspect reads. */
export interface LockStoreState {
  fence: number;
  /** Time left to the live holder (ms); null while the lock is free. */
  expiresInMs: number | null;
  waiters: number;
}
