import type { LockManager, LockOptions } from './lock.js';
import type { Queue, QueueOptions } from './queue.js';
import type { Registry, RegistryOptions } from './registry.js';
import type { RwLockManager, RwLockOptions } from './rwlock.js';
import type { SemaphoreManager, SemaphoreOptions } from './semaphore.js';

/** A storage backend: one per container. Adapters implement it. */
export interface Backend {
  /** 'memory', 'redis', … */
  readonly kind: string;
  /** A handle on the named queue (1–200 characters). Handles are cheap; state lives in the backend. */
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T>;
  /**
   * The names of the queues this backend's deployment knows, sorted: a queue becomes known at its
   * first enqueue or lease call (a Scheduler's handler leases), from any node, and stays known.
   * Capability `inspection`; throws NotSupportedError without it.
   */
  queues(): Promise<string[]>;
  /** A handle on the named group of nodes. */
  registry(group: string, options?: RegistryOptions): Registry;
  /** A lock manager on this backend. */
  locks(options?: LockOptions): LockManager;
  /** A counting-semaphore manager on this backend (semaphores are separate from locks of the same name). */
  semaphores(options?: SemaphoreOptions): SemaphoreManager;
  /** A read/write-lock manager on this backend (separate from locks and semaphores of the same name). */
  rwlocks(options?: RwLockOptions): RwLockManager;
  /** Stops timers and releases connections the backend created. Idempotent; later calls on it throw ClosedError. */
  close(): Promise<void>;
}
