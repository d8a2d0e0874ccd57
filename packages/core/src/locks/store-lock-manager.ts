import type { Clock } from '../clock/index.js';
import { newToken } from '../ids/index.js';
import { InvalidArgumentError, LockNotReplicatedError, LockTimeoutError, NotSupportedError } from '../errors/index.js';
import type { AcquireOptions, LockHandle, LockManager, LockOptions, LockState } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import { abortSignalOr, acquireInLine, grantStart, keepUnlessAborted, reportedWait, runHolding } from './acquire-in-line.js';
import type { LockGrant, LockStore } from './lock-store.js';
import { ManagedLock } from './managed-lock.js';

/** Lock defaults (ms); semaphores and read/write locks share them. */
export const LOCK_DEFAULTS = { ttlMs: 30_000, waitMs: 10_000 } as const;

/**
 * The LockManager of every backend: waiting, timeouts, handles, auto-extension and withLock,
 * written once over a backend's LockStore. `assertOpen` throws ClosedError once the backend is
 * closed; `onClose` (register a callback, get its canceller) lets held locks abort their signals
 * and stop their timers when the backend closes.
 */
export class StoreLockManager implements LockManager {
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly store: LockStore,
    private readonly clock: Clock,
    options: LockOptions = {},
    private readonly logger: Logger = silentLogger,
    private readonly assertOpen: () => void = () => undefined,
    private readonly onClose?: (fn: () => void) => () => void,
  ) {
    assertOptionsObject('options', options);
    this.ttlMs = positiveIntOr('options.ttlMs', options.ttlMs, LOCK_DEFAULTS.ttlMs);
    this.waitMs = nonNegativeIntOr('options.waitMs', options.waitMs, LOCK_DEFAULTS.waitMs);
  }

  /** See LockManager.acquire. */
  async acquire(resource: string, options?: AcquireOptions): Promise<LockHandle> {
    this.assertOpen();
    assertName('resource', resource);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    const waitMs = nonNegativeIntOr('options.waitMs', options?.waitMs, this.waitMs);
    const autoExtend = options?.autoExtend === true;
    const waitReplicas = nonNegativeIntOr('options.waitReplicas', options?.waitReplicas, 0);
    const waitTimeoutMs = positiveIntOr('options.waitTimeoutMs', options?.waitTimeoutMs, 1_000);
    const signal = abortSignalOr('options.signal', options?.signal);
    if (signal.aborted) throw signal.reason;
    const token = newToken();
    const { got, requestedAt } = await reportedWait(this.clock, 'lock', resource, () =>
      acquireInLine(this.store, this.clock, resource, token, ttlMs, waitMs, signal, this.assertOpen, () => new LockTimeoutError(resource, waitMs)),
    );
    const lock = await keepUnlessAborted(this.handle(resource, token, got, ttlMs, requestedAt, autoExtend), signal);
    if (waitReplicas > 0 && this.store.confirm) await this.confirmReplicas(lock, waitReplicas, waitTimeoutMs);
    return lock;
  }

  /** See LockManager.tryAcquire. */
  async tryAcquire(resource: string, options?: { ttlMs?: number }): Promise<LockHandle | null> {
    this.assertOpen();
    assertName('resource', resource);
    assertOptionsObject('options', options);
    const ttlMs = positiveIntOr('options.ttlMs', options?.ttlMs, this.ttlMs);
    const token = newToken();
    const requestedAt = this.clock.now();
    const got = await this.store.tryAcquire(resource, token, ttlMs);
    if (got === null) return null;
    return this.handle(resource, token, got, ttlMs, requestedAt, false);
  }

  /** See LockManager.withLock. */
  async withLock<R>(resource: string, fn: (lock: LockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'must be a function');
    const lock = await this.acquire(resource, { ...options, autoExtend: true });
    return runHolding(lock, fn, this.logger, 'lock');
  }

  /** See LockManager.inspect. */
  async inspect(resource: string): Promise<LockState> {
    this.assertOpen();
    assertName('resource', resource);
    if (this.store.inspect === undefined) throw new NotSupportedError('locks.inspect', 'lockInspection');
    const { fence, expiresInMs, waiters } = await this.store.inspect(resource);
    return { resource, holder: expiresInMs === null ? null : { fence, expiresInMs }, fence, waiters };
  }

  // A lock the replicas did not acknowledge could vanish in a failover: give it back and say so.
  private async confirmReplicas(lock: ManagedLock, replicas: number, timeoutMs: number): Promise<void> {
    let acknowledged: number;
    try {
      acknowledged = await this.store.confirm!(lock.resource, lock.token, replicas, timeoutMs);
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw error;
    }
    if (acknowledged >= replicas) return;
    await lock.release().catch(() => undefined);
    throw new LockNotReplicatedError(lock.resource, replicas, acknowledged, timeoutMs);
  }

  private handle(resource: string, token: string, got: number | LockGrant, ttlMs: number, requestedAt: number, autoExtend: boolean): ManagedLock {
    const context = { store: this.store, clock: this.clock, logger: this.logger, onClose: this.onClose };
    const { fence, since } = grantStart(got, requestedAt);
    return new ManagedLock(context, resource, token, fence, ttlMs, since, autoExtend);
  }
}
