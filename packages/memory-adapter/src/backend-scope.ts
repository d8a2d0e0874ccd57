import { ClockTimers, type Clock, type Logger } from '@baton/core';
import { BackendLifecycle } from '@baton/core/adapter';
import type { MemoryStore } from './memory-store.js';

/**
 * What one MemoryBackend gives the queues, registries and lock store it creates: its clock,
 * logger, store and random source, plus (from core's BackendLifecycle) whether it is still open
 * and the cleanups to run when it closes. Each backend has its own scope even when stores are shared.
 */
export class BackendScope extends BackendLifecycle {
  /** The backend's timers for blocked lease calls: one clock timer for all of them. */
  readonly timers: ClockTimers;

  constructor(
    readonly clock: Clock,
    logger: Logger,
    readonly store: MemoryStore,
    readonly random: () => number,
  ) {
    super('memory backend', logger);
    this.timers = new ClockTimers(clock);
    this.onClose(() => this.timers.clear());
  }
}
