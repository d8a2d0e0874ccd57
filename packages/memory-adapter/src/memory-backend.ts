import {
  SystemClock,
  consoleLogger,
  type Backend,
  type Clock,
  type LockManager,
  type LockOptions,
  type Logger,
  type Queue,
  type QueueOptions,
  type Registry,
  type RegistryOptions,
  type RwLockManager,
  type RwLockOptions,
  type SemaphoreManager,
  type SemaphoreOptions,
} from '@baton/core';
import { StoreLockManager, StoreQueue, StoreRwLockManager, StoreSemaphoreManager, assertName, resolveQueueOptions } from '@baton/core/adapter';
import { BackendScope } from './backend-scope.js';
import { MemoryLockStore } from './memory-lock-store.js';
import { MemoryPermitStore } from './memory-permit-store.js';
import { MemoryQueueStore } from './memory-queue-store.js';
import { MemoryRegistry } from './memory-registry.js';
import { MemoryStore } from './memory-store.js';

/** Options of a MemoryBackend. */
export interface MemoryBackendOptions {
  /** Source of every time and timer. @default new SystemClock() */
  clock?: Clock;
  /** Where background failures (heartbeats, watchers) are logged. @default consoleLogger */
  logger?: Logger;
  /**
   * The state to work on. Give several backends the same store to simulate several nodes of one
   * deployment in one process (they must share the clock too). @default a new MemoryStore of its own
   */
  store?: MemoryStore;
  /** Returns a number in [0, 1); drives retry backoff jitter. @default Math.random */
  random?: () => number;
  /**
   * Testing hook for fault injection (the simulator): given each store this backend makes (one per
   * queue handle, plus its lock, semaphore and read/write-lock stores), returns the object to use
   * in its place, such as a proxy that fails or delays calls. @default none (stores used as made)
   */
  wrapStore?: StoreWrapper;
}

/** See MemoryBackendOptions.wrapStore: returns `store` or an object with the same methods. */
export type StoreWrapper = <S extends object>(kind: 'queue' | 'lock' | 'semaphore' | 'rwlock', store: S) => S;

/**
 * The in-process Backend: queues (core's StoreQueue over a MemoryQueueStore), registries and
 * locks held in a MemoryStore, every time-dependent behaviour driven by the injected Clock (with a
 * ManualClock, fully deterministic). Usable without a container: `new MemoryBackend({ clock })`.
 */
export class MemoryBackend implements Backend {
  /** Always 'memory'. */
  readonly kind = 'memory';
  private readonly scope: BackendScope;
  private readonly lockStore: MemoryLockStore;
  private readonly semaphoreStore: MemoryPermitStore;
  private readonly rwlockStore: MemoryPermitStore;
  private readonly wrap: StoreWrapper;

  /** See MemoryBackendOptions for the defaults. */
  constructor(options: MemoryBackendOptions = {}) {
    const store = options.store ?? new MemoryStore();
    this.scope = new BackendScope(options.clock ?? new SystemClock(), options.logger ?? consoleLogger, store, options.random ?? Math.random);
    this.wrap = options.wrapStore ?? ((_kind, s) => s);
    this.lockStore = this.wrap('lock', new MemoryLockStore(this.scope));
    this.semaphoreStore = this.wrap('semaphore', new MemoryPermitStore(this.scope, 'semaphore'));
    this.rwlockStore = this.wrap('rwlock', new MemoryPermitStore(this.scope, 'rwlock'));
    store.attach();
  }

  /** The store this backend works on (share it with another backend to share state). */
  get store(): MemoryStore {
    return this.scope.store;
  }

  /**
   * A handle on queue `name` (1–200 characters). Throws InvalidArgumentError for a bad name or
   * options, ClosedError after close. Handles are cheap; the state lives in the store.
   */
  queue<T = unknown>(name: string, options?: QueueOptions): Queue<T> {
    this.scope.assertOpen();
    assertName('name', name);
    const resolved = resolveQueueOptions(options);
    return new StoreQueue<T>(name, this.wrap('queue', new MemoryQueueStore(name, resolved, this.scope)), resolved, this.scope);
  }

  /** See Backend.queues: the queues of the store enqueued to or leased from by any backend on it. Throws ClosedError after close. */
  async queues(): Promise<string[]> {
    this.scope.assertOpen();
    return this.scope.store.queueNames();
  }

  /** A handle on registry group `group` (1–200 characters). Throws InvalidArgumentError / ClosedError. */
  registry(group: string, options?: RegistryOptions): Registry {
    this.scope.assertOpen();
    assertName('group', group);
    return new MemoryRegistry(group, options, this.scope);
  }

  /**
   * A lock manager on this backend (core's StoreLockManager over the memory lock store). After
   * close, the manager's calls reject with ClosedError (getting the manager itself does not throw).
   */
  locks(options?: LockOptions): LockManager {
    return new StoreLockManager(
      this.lockStore,
      this.scope.clock,
      options,
      this.scope.logger,
      () => this.scope.assertOpen(),
      (fn) => this.scope.onClose(fn),
    );
  }

  /** A semaphore manager on this backend (core's StoreSemaphoreManager over the memory permit store). Its calls reject with ClosedError after close. */
  semaphores(options?: SemaphoreOptions): SemaphoreManager {
    return new StoreSemaphoreManager(this.semaphoreStore, this.scope.clock, options, this.scope.logger, this.assertOpen, this.onClose);
  }

  /** A read/write-lock manager on this backend (core's StoreRwLockManager over the memory permit store). Its calls reject with ClosedError after close. */
  rwlocks(options?: RwLockOptions): RwLockManager {
    return new StoreRwLockManager(this.rwlockStore, this.scope.clock, options, this.scope.logger, this.assertOpen, this.onClose);
  }

  private readonly assertOpen = (): void => this.scope.assertOpen();
  private readonly onClose = (fn: () => void): (() => void) => this.scope.onClose(fn);

  /**
   * Stops this backend's heartbeats and timers, resolves its blocked dequeues with nothing and
   * rejects its lock waits with ClosedError. The store keeps its state. Idempotent.
   */
  async close(): Promise<void> {
    if (this.scope.closed) return;
    this.scope.close();
    this.scope.store.detach();
  }
}
