import {
  InvalidArgumentError,
  silentLogger,
  SystemClock,
  TOKENS,
  type AcquireOptions,
  type Clock,
  type LockHandle,
  type LockManager,
  type LockOptions,
  type LockState,
  type Logger,
} from '@baton/core';
import { BackendLifecycle, nonNegativeIntOr, positiveIntOr, StoreLockManager } from '@baton/core/adapter';
import { ContainerModule } from 'inversify';
import { RedlockServer, type RedlockServerAddress } from './redlock-server.js';
import { RedlockStore } from './redlock-store.js';

/** Options of `redlock(servers, options)`: the lock defaults plus how the servers are used. */
export interface RedlockOptions extends Omit<LockOptions, 'keys'> {
  /** First part of every key on every server. @default 'baton' */
  prefix?: string;
  /** Time for validity and retries. @default new SystemClock() */
  clock?: Clock;
  /** Where failed releases and extensions are logged. @default silentLogger */
  logger?: Logger;
  /** Longest wait for one server's reply (real ms); a slower server counts as a missing vote. @default 500 */
  serverTimeoutMs?: number;
  /** How long (real ms) a server's first connection may take. @default 2_000 */
  connectTimeoutMs?: number;
  /** Base pause between attempts on a held lock (ms). @default 100 */
  retryDelayMs?: number;
  /** Random extra pause per attempt, 0..this (ms). @default 100 */
  retryJitterMs?: number;
  /** Clock drift allowed per ms of TTL. @default 0.01 */
  driftFactor?: number;
}

/**
 * A LockManager over several independent Redis servers (Redlock), with the usual LockHandle:
 * token-checked release and extend, autoExtend, a signal that aborts when the lock is lost, and a
 * fence. `close()` closes the connections it opened; later calls throw ClosedError.
 */
export class RedlockManager implements LockManager {
  private readonly servers: RedlockServer[];
  private readonly manager: StoreLockManager;
  // open/closed state and the held locks' close callbacks, as a backend has them
  private readonly lifecycle: BackendLifecycle;
  private closing: Promise<void> | undefined;

  constructor(addresses: RedlockServerAddress[], options: RedlockOptions = {}) {
    if (!Array.isArray(addresses) || addresses.length === 0) throw new InvalidArgumentError('servers', 'must list at least one Redis server');
    const { prefix = 'baton', clock = new SystemClock(), logger = silentLogger, ...rest } = options;
    if (typeof prefix !== 'string' || prefix.length === 0) throw new InvalidArgumentError('options.prefix', 'must be a non-empty string');
    const serverTimeoutMs = positiveIntOr('options.serverTimeoutMs', rest.serverTimeoutMs, 500);
    const connectTimeoutMs = positiveIntOr('options.connectTimeoutMs', rest.connectTimeoutMs, 2_000);
    const retryDelayMs = positiveIntOr('options.retryDelayMs', rest.retryDelayMs, 100);
    const retryJitterMs = nonNegativeIntOr('options.retryJitterMs', rest.retryJitterMs, 100);
    const driftFactor = rest.driftFactor ?? 0.01;
    if (typeof driftFactor !== 'number' || !(driftFactor >= 0 && driftFactor < 1))
      throw new InvalidArgumentError('options.driftFactor', 'must be a number in [0, 1)');
    this.lifecycle = new BackendLifecycle('redlock lock manager', logger);
    this.servers = addresses.map((a) => new RedlockServer(a, prefix, clock, logger, serverTimeoutMs, connectTimeoutMs));
    const store = new RedlockStore(this.servers, clock, logger, { retryDelayMs, retryJitterMs, driftFactor });
    this.manager = new StoreLockManager(
      store,
      clock,
      { ttlMs: rest.ttlMs, waitMs: rest.waitMs },
      logger,
      () => this.lifecycle.assertOpen(),
      (fn) => this.lifecycle.onClose(fn),
    );
  }

  /** How many servers must agree: N/2 + 1. */
  get quorum(): number {
    return Math.floor(this.servers.length / 2) + 1;
  }

  /** See LockManager.acquire. Also throws BackendUnavailableError when fewer than a quorum of servers answer. */
  acquire(resource: string, options?: AcquireOptions): Promise<LockHandle> {
    return this.manager.acquire(resource, options);
  }

  /** See LockManager.tryAcquire. Throws BackendUnavailableError when fewer than a quorum of servers answer. */
  tryAcquire(resource: string, options?: { ttlMs?: number }): Promise<LockHandle | null> {
    return this.manager.tryAcquire(resource, options);
  }

  /** See LockManager.withLock. */
  withLock<R>(resource: string, fn: (lock: LockHandle) => Promise<R>, options?: { ttlMs?: number; waitMs?: number; signal?: AbortSignal }): Promise<R> {
    return this.manager.withLock(resource, fn, options);
  }

  /** See LockManager.inspect. Not available over Redlock's servers: throws NotSupportedError (capability `lockInspection`). */
  inspect(resource: string): Promise<LockState> {
    return this.manager.inspect(resource);
  }

  /** Aborts the signals of held locks and closes every server connection. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.lifecycle.close();
      this.closing = Promise.all(this.servers.map((s) => s.close())).then(() => undefined);
    }
    return this.closing;
  }
}

/**
 * A Redlock LockManager over independent servers, e.g. `redlock(['redis://10.0.0.1:6379',
 * 'redis://10.0.0.2:6379', 'redis://10.0.0.3:6379'])`. Use an odd number of servers (3 or 5).
 */
export function redlock(servers: RedlockServerAddress[], options?: RedlockOptions): RedlockManager {
  return new RedlockManager(servers, options);
}

/**
 * A ContainerModule binding TOKENS.LockManager to a Redlock manager (rebinding the backend's own
 * locks if a backend module was loaded first; closed when the container unbinds it). It uses the
 * container's Clock and Logger when bound and `options` does not give them.
 */
export function redlockModule(servers: RedlockServerAddress[], options: RedlockOptions = {}): ContainerModule {
  return new ContainerModule(({ bind, rebind, isBound, onDeactivation }) => {
    const binding = isBound(TOKENS.LockManager) ? rebind<LockManager>(TOKENS.LockManager) : bind<LockManager>(TOKENS.LockManager);
    binding
      .toResolvedValue(
        (clock: Clock | undefined, logger: Logger | undefined) =>
          new RedlockManager(servers, { ...options, clock: options.clock ?? clock, logger: options.logger ?? logger }),
        [
          { serviceIdentifier: TOKENS.Clock, optional: true },
          { serviceIdentifier: TOKENS.Logger, optional: true },
        ],
      )
      .inSingletonScope();
    onDeactivation<LockManager>(TOKENS.LockManager, async (manager) => {
      if (manager instanceof RedlockManager) await manager.close();
    });
  });
}
