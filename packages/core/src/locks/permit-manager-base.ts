import type { Clock } from '../clock/index.js';
import { LockTimeoutError, type LockKind } from '../errors/index.js';
import { newToken } from '../ids/index.js';
import type { Logger } from '../interfaces/logger.js';
import { acquireInLine, grantStart, reportedWait } from './acquire-in-line.js';
import type { LockContext } from './managed-lock.js';
import type { HandleStart } from './permit-handles.js';
import type { PermitRequest, PermitStore } from './permit-store.js';

/**
 * What the semaphore and read/write-lock managers share over a PermitStore: the waiting acquire,
 * the single attempt, and the context their handles extend and release through.
 */
export abstract class PermitManagerBase {
  constructor(
    protected readonly store: PermitStore,
    protected readonly clock: Clock,
    protected readonly logger: Logger,
    protected readonly assertOpen: () => void,
    private readonly onClose?: (fn: () => void) => () => void,
  ) {}

  /**
   * Acquires `request` on `resource`, waiting up to `waitMs`; throws LockTimeoutError naming
   * `kind` after that, and the signal's reason when it aborts first. The caller makes the handle
   * and passes it through keepUnlessAborted.
   */
  protected async take(resource: string, request: PermitRequest, waitMs: number, signal: AbortSignal, kind: LockKind): Promise<HandleStart> {
    const token = newToken();
    const { got, requestedAt } = await reportedWait(this.clock, kind, resource, () =>
      acquireInLine(this.store, this.clock, resource, token, request, waitMs, signal, this.assertOpen, () => new LockTimeoutError(resource, waitMs, kind)),
    );
    return { token, ...grantStart(got, requestedAt) };
  }

  /** One attempt that never waits or queues; null when not granted. */
  protected async tryTake(resource: string, request: PermitRequest): Promise<HandleStart | null> {
    this.assertOpen();
    const token = newToken();
    const requestedAt = this.clock.now();
    const got = await this.store.tryAcquire(resource, token, request, false);
    return got === null ? null : { token, ...grantStart(got, requestedAt) };
  }

  /** The context a handle of `kind` extends and releases through. */
  protected context(kind: LockKind): LockContext {
    return { store: this.store, clock: this.clock, logger: this.logger, onClose: this.onClose, kind };
  }
}
