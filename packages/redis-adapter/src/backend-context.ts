import { ClosedError, type Clock, type Logger } from '@baton/core';
import type { Connections } from './connections.js';
import type { KeyLayout } from './key-layout.js';
import type { ScriptRunner } from './script-runner.js';
import type { Subscriptions } from './subscriptions.js';

/**
 * What one RedisBackend gives the queues, registries and lock stores it creates: clock, logger,
 * key layout, connections, script runner and pub/sub, whether it is open, and the cleanups to
 * run when it closes (pending waits, heartbeats, watchers).
 */
export class BackendContext {
  private open = true;
  private readonly cleanups = new Set<() => void>();

  constructor(
    readonly clock: Clock,
    readonly logger: Logger,
    readonly keys: KeyLayout,
    readonly connections: Connections,
    readonly runner: ScriptRunner,
    readonly subscriptions: Subscriptions,
  ) {}

  /** True once the backend was closed. */
  get closed(): boolean {
    return !this.open;
  }

  /** Throws ClosedError once the backend was closed. */
  assertOpen(): void {
    if (!this.open) throw new ClosedError('redis backend');
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

  /** Marks the context closed and runs every cleanup once. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    const cleanups = [...this.cleanups];
    this.cleanups.clear();
    for (const fn of cleanups) {
      try {
        fn();
      } catch (error) {
        this.logger.warn('redis backend: a cleanup failed while closing', { error: String(error) });
      }
    }
  }
}
