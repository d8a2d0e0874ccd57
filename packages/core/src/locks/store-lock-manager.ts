import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock/index.js';
import { newToken } from '../ids/index.js';
import { InvalidArgumentError, LockLostError, LockNotReplicatedError, LockTimeoutError } from '../errors/index.js';
import type { AcquireOptions, LockHandle, LockManager, LockOptions } from '../interfaces/index.js';
import { silentLogger, type Logger } from '../interfaces/logger.js';
import { assertName, assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import type { LockGrant, LockStore } from './lock-store.js';
import { ManagedLock } from './managed-lock.js';

/** Lock defaults (ms). */
export const LOCK_DEFAULTS = { ttlMs: 30_000, waitMs: 10_000 } as const;

// An acquire without a signal of its own waits on one signal that never aborts: creating an
// AbortSignal cost 3-4 µs (measured), once per contended acquire. Any number of waits may listen to
// it at once.
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

function abortSignalOr(argument: string, value: unknown): AbortSignal {
  if (value === undefined) return NEVER_ABORTED;
  if (!(value instanceof AbortSignal)) throw new InvalidArgumentError(argument, 'must be an AbortSignal when given');
  return value;
}

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
    const giveUpAt = this.clock.now() + waitMs;
    // a caller that will wait joins the line in its first attempt (one round trip less per wait)
    const queue = waitMs > 0;
    try {
      for (;;) {
        this.assertOpen();
        const requestedAt = this.clock.now();
        const got = await this.store.tryAcquire(resource, token, ttlMs, queue);
        if (got !== null) return await this.acquired(resource, token, got, ttlMs, requestedAt, autoExtend, waitReplicas, waitTimeoutMs, signal);
        if (signal.aborted) throw signal.reason;
        const remaining = giveUpAt - this.clock.now();
        if (remaining <= 0) throw new LockTimeoutError(resource, waitMs);
        const grant = await this.store.waitForRelease(resource, token, remaining, signal);
        if (grant) return await this.acquired(resource, token, grant, ttlMs, requestedAt, autoExtend, waitReplicas, waitTimeoutMs, signal);
      }
    } finally {
      this.store.leaveQueue?.(resource, token);
    }
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
    try {
      const result = await fn(lock);
      if (lock.signal.aborted) {
        throw lock.signal.reason instanceof LockLostError ? lock.signal.reason : new LockLostError(resource, 'lost while fn ran');
      }
      return result;
    } finally {
      await lock.release().catch((error: unknown) => {
        this.logger.warn('lock release failed; it will expire by its TTL', { resource, error: String(error) });
      });
    }
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

  private async acquired(
    resource: string,
    token: string,
    got: number | LockGrant,
    ttlMs: number,
    requestedAt: number,
    autoExtend: boolean,
    waitReplicas: number,
    waitTimeoutMs: number,
    signal: AbortSignal,
  ): Promise<ManagedLock> {
    const lock = this.handle(resource, token, got, ttlMs, requestedAt, autoExtend);
    // Aborted while the lock was being taken: the caller gave up, so it must not end up holding it.
    if (signal.aborted) {
      await lock.release().catch(() => false);
      throw signal.reason;
    }
    if (waitReplicas > 0 && this.store.confirm) await this.confirmReplicas(lock, waitReplicas, waitTimeoutMs);
    return lock;
  }

  // A fence comes from the caller's own request (its TTL started after `requestedAt`); a grant
  // carries the earliest time its TTL can have started.
  private handle(resource: string, token: string, got: number | LockGrant, ttlMs: number, requestedAt: number, autoExtend: boolean): ManagedLock {
    const context = { store: this.store, clock: this.clock, logger: this.logger, onClose: this.onClose };
    if (typeof got === 'number') return new ManagedLock(context, resource, token, got, ttlMs, requestedAt, autoExtend);
    return new ManagedLock(context, resource, token, got.fence, ttlMs, got.grantedAfter, autoExtend);
  }
}
