import type { LockHandle } from './lock.js';

/** Options of a RwLockManager. */
export interface RwLockOptions {
  /** Default TTL of a read or write lock (ms). @default 30_000 */
  ttlMs?: number;
  /** Default time `read`/`write` wait before throwing LockTimeoutError (ms, 0 = try once). @default 10_000 */
  waitMs?: number;
}

/** Options of one read or write acquisition. */
export interface RwLockAcquireOptions {
  /** TTL (ms, integer >= 1): a holder that crashed frees the lock after it. @default the manager's ttlMs */
  ttlMs?: number;
  /** How long to wait (ms, integer >= 0). @default the manager's waitMs */
  waitMs?: number;
  /** Extend the lock every ttl/3 until released; the signal aborts if an extension fails. @default false */
  autoExtend?: boolean;
  /**
   * Gives up the wait when it aborts: `read`/`write` reject with the signal's reason at once, hold
   * nothing, and leave the line (the waiters behind are served). @default none
   */
  signal?: AbortSignal;
}

/**
 * A held read or write lock. Dispose it (`await using`) or call `release()`.
 *
 * `fence`: a write lock's fence grows with every write acquisition of the resource. A read lock's
 * fence is the fence of the latest write acquisition before it (0 before the first): readers
 * between the same two writers share it, and a reader can tell which write it reads after.
 */
export interface RwLockHandle extends LockHandle {
  readonly mode: 'read' | 'write';
}

/** One live holder of a read/write lock, as `inspect` shows it (never its token). */
export interface RwLockHolder {
  fence: number;
  /** Time left before it expires unless extended (ms, by the backend's clock). */
  expiresInMs: number;
}

/** Who holds and who waits for a read/write lock, at one moment. */
export interface RwLockState {
  resource: string;
  /** The writer, or null. */
  writer: RwLockHolder | null;
  /** Live readers, the first to expire first (empty while a writer holds it). */
  readers: RwLockHolder[];
  /** Waiting acquisitions in the order they will be served. */
  waiters: Array<{ mode: 'read' | 'write' }>;
}

/**
 * Read/write locks over named resources: many readers at once or one writer, never both. Fair:
 * waiters are served in order of arrival, so a reader that arrives after a waiting writer waits
 * behind it, and a stream of readers never starves a writer. Each hold expires with its TTL.
 */
export interface RwLockManager {
  /**
   * Takes a read lock on `resource`, waiting up to `waitMs` behind a writer or earlier waiters.
   * Throws LockTimeoutError when the wait runs out, InvalidArgumentError for bad arguments, and the
   * reason of `options.signal` when it aborts first.
   */
  read(resource: string, options?: RwLockAcquireOptions): Promise<RwLockHandle>;
  /** Takes the write lock on `resource`, waiting up to `waitMs` for every holder to leave. Throws as `read`. */
  write(resource: string, options?: RwLockAcquireOptions): Promise<RwLockHandle>;
  /** A read lock if one can be had now without passing a waiter; null otherwise. Never waits. */
  tryRead(resource: string, options?: { ttlMs?: number }): Promise<RwLockHandle | null>;
  /** The write lock if nobody holds or waits for the resource now; null otherwise. Never waits. */
  tryWrite(resource: string, options?: { ttlMs?: number }): Promise<RwLockHandle | null>;
  /** Runs `fn` under a read lock, extended while `fn` runs, released after. Throws LockLostError after `fn` if it was lost. */
  withRead<R>(resource: string, fn: (lock: RwLockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R>;
  /** Runs `fn` under the write lock, extended while `fn` runs, released after. Throws LockLostError after `fn` if it was lost. */
  withWrite<R>(resource: string, fn: (lock: RwLockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R>;
  /** The lock's holders and waiters now (expired holds left out). Read-only; never shows tokens. */
  inspect(resource: string): Promise<RwLockState>;
}
