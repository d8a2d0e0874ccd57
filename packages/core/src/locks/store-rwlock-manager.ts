import type { Clock } from '../clock/index.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { RwLockAcquireOptions, RwLockHandle, RwLockManager, RwLockOptions, RwLockState } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { abortSignalOr, keepUnlessAborted, runHolding } from './acquire-in-line.js';
import { ManagedRwLock } from './permit-handles.js';
import { PermitManagerBase } from './permit-manager-base.js';
import { MAX_PERMITS, type PermitRequest, type PermitStore } from './permit-store.js';
import { LOCK_DEFAULTS } from './store-lock-manager.js';

type Mode = 'read' | 'write';

/**
 * The RwLockManager of every backend, written once over a backend's PermitStore (its 'rwlock'
 * store): a resource has MAX_PERMITS permits, a reader takes 1 and a writer all of them, so the
 * store's weighted first-come-first-served order is the lock's fairness (a reader behind a waiting
 * writer waits), and a writer excludes everyone. Only writes increment the fence; a reader gets the
 * fence of the latest write.
 */
export class StoreRwLockManager extends PermitManagerBase implements RwLockManager {
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    store: PermitStore,
    clock: Clock,
    options: RwLockOptions = {},
    logger: Logger = silentLogger,
    assertOpen: () => void = () => undefined,
    onClose?: (fn: () => void) => () => void,
  ) {
    super(store, clock, logger, assertOpen, onClose);
    assertOptionsObject('options', options);
    this.ttlMs = positiveIntOr('options.ttlMs', options.ttlMs, LOCK_DEFAULTS.ttlMs);
    this.waitMs = nonNegativeIntOr('options.waitMs', options.waitMs, LOCK_DEFAULTS.waitMs);
  }

  /** See RwLockManager.read. */
  read(resource: string, options?: RwLockAcquireOptions): Promise<RwLockHandle> {
    return this.lock('read', resource, options);
  }

  /** See RwLockManager.write. */
  write(resource: string, options?: RwLockAcquireOptions): Promise<RwLockHandle> {
    return this.lock('write', resource, options);
  }

  /** See RwLockManager.tryRead. */
  tryRead(resource: string, options?: { ttlMs?: number }): Promise<RwLockHandle | null> {
    return this.tryLock('read', resource, options);
  }

  /** See RwLockManager.tryWrite. */
  tryWrite(resource: string, options?: { ttlMs?: number }): Promise<RwLockHandle | null> {
    return this.tryLock('write', resource, options);
  }

  /** See RwLockManager.withRead. */
  withRead<R>(resource: string, fn: (lock: RwLockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R> {
    return this.withLock('read', resource, fn, options);
  }

  /** See RwLockManager.withWrite. */
  withWrite<R>(resource: string, fn: (lock: RwLockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R> {
    return this.withLock('write', resource, fn, options);
  }

  /** See RwLockManager.inspect. A holder of every permit is the writer; anyone else reads. */
  async inspect(resource: string): Promise<RwLockState> {
    this.assertOpen();
    assertName('resource', resource);
    const state = await this.store.inspect(resource);
    const holders = state.holders.map((h) => ({ writer: h.permits === MAX_PERMITS, holder: { fence: h.fence, expiresInMs: h.expiresInMs } }));
    return {
      resource,
      writer: holders.find((h) => h.writer)?.holder ?? null,
      readers: holders.filter((h) => !h.writer).map((h) => h.holder),
      waiters: state.waiters.map((w) => ({ mode: w.permits === MAX_PERMITS ? 'write' : 'read' })),
    };
  }

  private async lock(mode: Mode, resource: string, options: RwLockAcquireOptions | undefined): Promise<RwLockHandle> {
    this.assertOpen();
    const request = this.request(mode, resource, options);
    const waitMs = nonNegativeIntOr('options.waitMs', options?.waitMs, this.waitMs);
    const signal = abortSignalOr('options.signal', options?.signal);
    const start = await this.take(resource, request, waitMs, signal, `${mode} lock`);
    return keepUnlessAborted(new ManagedRwLock(this.context(`${mode} lock`), resource, start, request.ttlMs, options?.autoExtend === true, mode), signal);
  }

  private async tryLock(mode: Mode, resource: string, options: { ttlMs?: number } | undefined): Promise<RwLockHandle | null> {
    this.assertOpen();
    const request = this.request(mode, resource, options);
    const start = await this.tryTake(resource, request);
    return start && new ManagedRwLock(this.context(`${mode} lock`), resource, start, request.ttlMs, false, mode);
  }

  private async withLock<R>(
    mode: Mode,
    resource: string,
    fn: (lock: RwLockHandle) => Promise<R>,
    options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal },
  ): Promise<R> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'must be a function');
    const lock = await this.lock(mode, resource, { ...options, autoExtend: true });
    return runHolding(lock, fn, this.logger, `${mode} lock`);
  }

  private request(mode: Mode, resource: string, options: { ttlMs?: number } | undefined): PermitRequest {
    assertName('resource', resource);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    return mode === 'write'
      ? { permits: MAX_PERMITS, limit: MAX_PERMITS, ttlMs, bumpsFence: true }
      : { permits: 1, limit: MAX_PERMITS, ttlMs, bumpsFence: false };
  }
}
