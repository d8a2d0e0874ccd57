import { BatonError } from './baton-error.js';

/** Thrown when `acquire` could not get the lock within `waitMs`. */
export class LockTimeoutError extends BatonError {
  constructor(
    readonly resource: string,
    readonly waitMs: number,
  ) {
    super('LOCK_TIMEOUT', `Lock "${resource}" was not acquired within ${waitMs} ms; raise waitMs or shorten the holder's work.`);
  }
}

/** Thrown (and used as the abort reason) when a held lock is known to be lost: expired, or taken by another holder. */
export class LockLostError extends BatonError {
  constructor(
    readonly resource: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('LOCK_LOST', `Lock "${resource}" was lost: ${reason}. Work done under it after this point is not exclusive.`, options);
  }
}

/** Thrown by `acquire` with `waitReplicas` when fewer replicas acknowledged the lock in time; the lock was released. */
export class LockNotReplicatedError extends BatonError {
  constructor(
    readonly resource: string,
    readonly wanted: number,
    readonly acknowledged: number,
    readonly waitTimeoutMs: number,
  ) {
    super(
      'LOCK_NOT_REPLICATED',
      `Lock "${resource}" was acknowledged by ${acknowledged} of the ${wanted} replicas asked for within ${waitTimeoutMs} ms, so it was released; check the replicas or lower waitReplicas.`,
    );
  }
}
