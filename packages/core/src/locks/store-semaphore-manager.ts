import type { Clock } from '../clock/index.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { SemaphoreAcquireOptions, SemaphoreHandle, SemaphoreManager, SemaphoreOptions, SemaphoreState } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, assertPositiveInt, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { abortSignalOr, keepUnlessAborted, runHolding } from './acquire-in-line.js';
import { ManagedSemaphore } from './permit-handles.js';
import { PermitManagerBase } from './permit-manager-base.js';
import { MAX_PERMITS, type PermitRequest, type PermitStore } from './permit-store.js';
import { LOCK_DEFAULTS } from './store-lock-manager.js';

/** Checks a semaphore limit: an integer from 1 to MAX_PERMITS. */
function checkLimit(argument: string, value: unknown): number {
  assertPositiveInt(argument, value);
  if (value > MAX_PERMITS) throw new InvalidArgumentError(argument, `must be at most ${MAX_PERMITS}, got ${value}`);
  return value;
}

/**
 * The SemaphoreManager of every backend: argument checks, waiting, timeouts, handles,
 * auto-extension, lost signals and withPermits, written once over a backend's PermitStore (its
 * 'semaphore' store). `assertOpen` throws ClosedError once the backend is closed; `onClose` lets
 * held grants abort their signals when it closes.
 */
export class StoreSemaphoreManager extends PermitManagerBase implements SemaphoreManager {
  private readonly limit: number | undefined;
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    store: PermitStore,
    clock: Clock,
    options: SemaphoreOptions = {},
    logger: Logger = silentLogger,
    assertOpen: () => void = () => undefined,
    onClose?: (fn: () => void) => () => void,
  ) {
    super(store, clock, logger, assertOpen, onClose);
    assertOptionsObject('options', options);
    this.limit = options.limit === undefined ? undefined : checkLimit('options.limit', options.limit);
    this.ttlMs = positiveIntOr('options.ttlMs', options.ttlMs, LOCK_DEFAULTS.ttlMs);
    this.waitMs = nonNegativeIntOr('options.waitMs', options.waitMs, LOCK_DEFAULTS.waitMs);
  }

  /** See SemaphoreManager.acquire. */
  async acquire(resource: string, options?: SemaphoreAcquireOptions): Promise<SemaphoreHandle> {
    this.assertOpen();
    const request = this.request(resource, options);
    const waitMs = nonNegativeIntOr('options.waitMs', options?.waitMs, this.waitMs);
    const signal = abortSignalOr('options.signal', options?.signal);
    const start = await this.take(resource, request, waitMs, signal, 'semaphore');
    const handle = new ManagedSemaphore(
      this.context('semaphore'),
      resource,
      start,
      request.ttlMs,
      options?.autoExtend === true,
      request.permits,
      request.limit,
    );
    return keepUnlessAborted(handle, signal);
  }

  /** See SemaphoreManager.tryAcquire. */
  async tryAcquire(resource: string, options?: Pick<SemaphoreAcquireOptions, 'permits' | 'limit' | 'ttlMs'>): Promise<SemaphoreHandle | null> {
    this.assertOpen();
    const request = this.request(resource, options);
    const start = await this.tryTake(resource, request);
    return start && new ManagedSemaphore(this.context('semaphore'), resource, start, request.ttlMs, false, request.permits, request.limit);
  }

  /** See SemaphoreManager.withPermits. */
  async withPermits<R>(resource: string, fn: (handle: SemaphoreHandle) => Promise<R>, options?: Omit<SemaphoreAcquireOptions, 'autoExtend'>): Promise<R> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'must be a function');
    const handle = await this.acquire(resource, { ...options, autoExtend: true });
    return runHolding(handle, fn, this.logger, 'semaphore');
  }

  /** See SemaphoreManager.inspect. */
  async inspect(resource: string): Promise<SemaphoreState> {
    this.assertOpen();
    assertName('resource', resource);
    const state = await this.store.inspect(resource);
    return {
      resource,
      limit: state.limit,
      inUse: state.holders.reduce((sum, h) => sum + h.permits, 0),
      holders: state.holders.map((h) => ({ permits: h.permits, fence: h.fence, expiresInMs: h.expiresInMs })),
      waiters: state.waiters.map((w) => ({ permits: w.permits })),
    };
  }

  // Every rule a backend may rely on is checked here, before the store sees the request.
  private request(resource: string, options: Pick<SemaphoreAcquireOptions, 'permits' | 'limit' | 'ttlMs'> | undefined): PermitRequest {
    assertName('resource', resource);
    assertOptionsObject('options', options);
    const limitValue = options?.limit ?? this.limit;
    if (limitValue === undefined) throw new InvalidArgumentError('options.limit', 'is required: give it to semaphores({ limit }) or to the acquisition');
    const limit = checkLimit('options.limit', limitValue);
    const permits = positiveIntOr('options.permits', options?.permits, 1);
    if (permits > limit) throw new InvalidArgumentError('options.permits', `must be at most the limit (${limit}), got ${permits}`);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    return { permits, limit, ttlMs, bumpsFence: true };
  }
}
