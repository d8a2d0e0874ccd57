import { ClosedError, type Clock, type Logger } from '@baton/core';
import type { MemoryStore } from './memory-store.js';

/**
 * What one MemoryBackend gives the queues, registries and lock store it creates: its clock,
 * logger, store and random source, whether it is still open, and the cleanups to run when it closes
 * (pending waits, heartbeats, watchers). Each backend has its own scope even when stores are shared.
 */
export class BackendScope {
  private open = true;
  private readonly cleanups = new Set<() => void>();

  constructor(
    readonly clock: Clock,
    readonly logger: Logger,
    readonly store: MemoryStore,
    readonly random: () => number,
  ) {}

  /** True once the backend was closed. */
  get closed(): boolean {
    return !this.open;
  }

  /** Throws ClosedError once the backend was closed. */
  assertOpen(): void {
    if (!this.open) throw new ClosedError('memory backend');
  }

  /** Runs `fn` when the backend closes (at once if it already has); returns a function that cancels it. */
  onClose(fn: () => void): () => void {
    if (!this.open) {
      fn();
      return () => undefined;
    }
    this.cleanups.add(fn);
    return () => {
      this.cleanups.delete(fn);
    };
  }

  /** Marks the scope closed and runs every cleanup once; a cleanup that throws is logged. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    const cleanups = [...this.cleanups];
    this.cleanups.clear();
    for (const fn of cleanups) {
      try {
        fn();
      } catch (error) {
        this.logger.warn('memory backend: a cleanup failed while closing', { error: String(error) });
      }
    }
  }
}
