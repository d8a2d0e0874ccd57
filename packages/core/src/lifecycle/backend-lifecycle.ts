import { ClosedError } from '../errors/index.js';
import type { Logger } from '../interfaces/logger.js';

/**
 * The open/closed state every backend needs, written once: `assertOpen` for its calls, and the
 * cleanups (pending waits, heartbeats, watchers, held locks) that `close` runs exactly once.
 * Adapters extend it with what their queues, registries and lock stores share.
 */
export class BackendLifecycle {
  private open = true;
  private readonly cleanups = new Set<() => void>();

  /** @param what names the backend in ClosedError messages, e.g. 'redis backend'. */
  constructor(
    private readonly what: string,
    readonly logger: Logger,
  ) {}

  /** True once the backend was closed. */
  get closed(): boolean {
    return !this.open;
  }

  /** Throws ClosedError once the backend was closed. */
  assertOpen(): void {
    if (!this.open) throw new ClosedError(this.what);
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

  /** Marks the backend closed and runs every cleanup once; a cleanup that throws is logged, the rest still run. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    const cleanups = [...this.cleanups];
    this.cleanups.clear();
    for (const fn of cleanups) {
      try {
        fn();
      } catch (error) {
        this.logger.warn(`${this.what}: a cleanup failed while closing`, { error: String(error) });
      }
    }
  }
}
