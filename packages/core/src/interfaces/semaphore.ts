import type { LockHandle } from './lock.js';

/** Options of a SemaphoreManager. */
export interface SemaphoreOptions {
  /**
   * Capacity of the semaphores this manager acquires, in permits (integer 1 to MAX_PERMITS), for
   * acquisitions that give no `limit` of their own. No default: this or the acquisition's `limit`
   * must say it.
   */
  limit?: number;
  /** Default TTL of a grant (ms). @default 30_000 */
  ttlMs?: number;
  /** Default time `acquire` waits before throwing LockTimeoutError (ms, 0 = try once). @default 10_000 */
  waitMs?: number;
}

/** Options of one semaphore acquisition. */
export interface SemaphoreAcquireOptions {
  /** Permits taken at once (integer 1 to `limit`); they are granted and returned together. @default 1 */
  permits?: number;
  /**
   * The semaphore's capacity (integer 1 to MAX_PERMITS). While the semaphore has a live holder or
   * a waiter, every acquisition must give the same limit, or it throws SemaphoreLimitError.
   * @default the manager's limit
   */
  limit?: number;
  /** TTL of the grant (ms, integer >= 1): a holder that crashed gives its permits back after it. @default the manager's ttlMs */
  ttlMs?: number;
  /** How long to wait for permits (ms, integer >= 0). @default the manager's waitMs */
  waitMs?: number;
  /** Extend the grant every ttl/3 until released; the signal aborts if an extension fails. @default false */
  autoExtend?: boolean;
  /**
   * Gives up the wait when it aborts: `acquire` rejects with the signal's reason at once, holds
   * nothing, and leaves the line (the waiters behind are served). @default none
   */
  signal?: AbortSignal;
}

/** Permits held from a semaphore. Dispose it (`await using`) or call `release()`. */
export interface SemaphoreHandle extends LockHandle {
  /** How many permits this grant holds. */
  readonly permits: number;
  /** The semaphore's limit when they were granted. */
  readonly limit: number;
}

/** One live grant of a semaphore, as `inspect` shows it (never its token). */
export interface SemaphoreHolder {
  /** Permits it holds. */
  permits: number;
  /** Its fence. */
  fence: number;
  /** Time left before the grant expires unless extended (ms, by the backend's clock). */
  expiresInMs: number;
}

/** What a semaphore holds and who waits for it, at one moment. */
export interface SemaphoreState {
  resource: string;
  /** The limit in force; null while nobody holds or waits (the next acquisition sets it). */
  limit: number | null;
  /** Permits held by live grants. */
  inUse: number;
  /** Live grants, the first to expire first. */
  holders: SemaphoreHolder[];
  /** Waiting acquisitions in the order they will be served. */
  waiters: Array<{ permits: number }>;
}

/**
 * Counting semaphores over named resources: at most `limit` permits are held at once, each grant
 * expires with its TTL, and waiters are served strictly in order of arrival, weighted: the first
 * in line is served first even if a later, smaller request would fit now (a large request is never
 * starved by small ones). Every grant gets a fence that grows with every acquisition of the
 * resource, so holders at the same time have different fences.
 */
export interface SemaphoreManager {
  /**
   * Takes `permits` permits of `resource`, waiting up to `waitMs` (woken when permits are given
   * back, in order of arrival). Throws LockTimeoutError when the wait runs out, SemaphoreLimitError
   * when `limit` disagrees with the limit in force, InvalidArgumentError for bad arguments
   * (permits above limit, non-integers, a missing limit), and the reason of `options.signal` when
   * it aborts first.
   */
  acquire(resource: string, options?: SemaphoreAcquireOptions): Promise<SemaphoreHandle>;
  /** Takes the permits if they are free now and nobody waits before; null otherwise. Never waits. Throws as `acquire`. */
  tryAcquire(resource: string, options?: Pick<SemaphoreAcquireOptions, 'permits' | 'limit' | 'ttlMs'>): Promise<SemaphoreHandle | null>;
  /**
   * Runs `fn` holding the permits, extending the grant while `fn` runs, and releases them after.
   * Throws LockLostError after `fn` settles if the grant was lost meanwhile (watch `handle.signal`).
   */
  withPermits<R>(resource: string, fn: (handle: SemaphoreHandle) => Promise<R>, options?: Omit<SemaphoreAcquireOptions, 'autoExtend'>): Promise<R>;
  /** The semaphore's holders and waiters now (expired grants left out). Read-only; never shows tokens. */
  inspect(resource: string): Promise<SemaphoreState>;
}
