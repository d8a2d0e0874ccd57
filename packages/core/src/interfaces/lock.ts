/** Options of a LockManager. */
export interface LockOptions {
  /** Default lock TTL (ms). @default 30_000 */
  ttlMs?: number;
  /** Default time `acquire` waits before throwing LockTimeoutError (ms, 0 = try once). @default 10_000 */
  waitMs?: number;
  /** Explicit key naming (Redis: `{ lock: (resource) => resource }`). Backends without named storage ignore it. */
  keys?: { lock?: (resource: string) => string };
}

/** Options of one acquisition. */
export interface AcquireOptions {
  /** Lock TTL (ms, integer >= 1). @default the manager's ttlMs */
  ttlMs?: number;
  /** How long to wait for a held lock (ms, integer >= 0). @default the manager's waitMs */
  waitMs?: number;
  /** Extend the lock every ttl/3 until released; the signal aborts if an extension fails. @default false */
  autoExtend?: boolean;
  /**
   * After acquiring, wait until this many replicas acknowledged the write (Redis WAIT); if fewer do
   * within `waitTimeoutMs`, the lock is released and `acquire` throws LockNotReplicatedError.
   * Backends without replicas (memory) ignore it. @default 0 (do not wait)
   */
  waitReplicas?: number;
  /** How long to wait for `waitReplicas` acknowledgements (ms, integer >= 1). @default 1_000 */
  waitTimeoutMs?: number;
  /**
   * Gives up the wait when it aborts: `acquire` rejects with the signal's reason at once, holds
   * nothing, and leaves the line (the next waiter is served). @default none
   */
  signal?: AbortSignal;
}

/** A held lock. Dispose it (`await using`) or call `release()`. */
export interface LockHandle extends AsyncDisposable {
  readonly resource: string;
  /** Random owner token; the lock's stored value. */
  readonly token: string;
  /** Fencing number: grows with every acquisition of this resource. Storage can refuse writes with an older fence. */
  readonly fence: number;
  /** Aborts (reason: LockLostError) when the lock is known to be lost, no later than its local expiry. */
  readonly signal: AbortSignal;
  /** Resets the TTL (ms) if the lock is still ours; false (and the signal aborts) otherwise. @default the acquisition's ttlMs */
  extend(ttlMs?: number): Promise<boolean>;
  /** Releases the lock if it is still ours; false when it was no longer ours. Idempotent (later calls return false). */
  release(): Promise<boolean>;
}

/** The holder of a lock, as `inspect` shows it (never its token). */
export interface LockHolder {
  /** The holder's fence. */
  fence: number;
  /** Time left before the lock expires unless extended (ms, by the backend's clock). */
  expiresInMs: number;
}

/** Who holds a lock and how many wait for it, at one moment. */
export interface LockState {
  resource: string;
  /** The live holder, or null while the lock is free (released, expired or never taken). */
  holder: LockHolder | null;
  /** The latest fence handed out for the resource (0 before the first acquisition); the next holder gets a greater one. */
  fence: number;
  /** Acquisitions waiting in line for it (0 on a backend that keeps no line). */
  waiters: number;
}

/** Mutual exclusion over named resources, with fencing tokens. */
export interface LockManager {
  /**
   * Acquires `resource`, waiting up to `waitMs` (woken on release, in order of arrival).
   * Throws `LockTimeoutError` when the wait runs out, `InvalidArgumentError` for bad arguments,
   * and the reason of `options.signal` when it aborts first.
   */
  acquire(resource: string, options?: AcquireOptions): Promise<LockHandle>;
  /** Acquires `resource` if it is free now; null otherwise. Never waits. */
  tryAcquire(resource: string, options?: { ttlMs?: number }): Promise<LockHandle | null>;
  /**
   * Runs `fn` holding the lock, extending it while `fn` runs, and releases it after. Throws
   * `LockLostError` after `fn` settles if the lock was lost meanwhile (watch `lock.signal`).
   */
  withLock<R>(resource: string, fn: (lock: LockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R>;
  /**
   * The lock's holder, latest fence and waiters now (an expired hold shows as free). Read-only;
   * never shows the token. Throws InvalidArgumentError for a bad resource, NotSupportedError on a
   * backend without the `lockInspection` capability.
   */
  inspect(resource: string): Promise<LockState>;
}
