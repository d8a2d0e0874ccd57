import { BatonError } from './baton-error.js';
import { InvalidArgumentError } from './input-errors.js';

/** What a lock-family error is about, as its message names it. @default 'lock' */
export type LockKind = 'lock' | 'semaphore' | 'read lock' | 'write lock';

function title(kind: LockKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** Thrown when `acquire` (of a lock, semaphore permits or a read/write lock) could not get it within `waitMs`. */
export class LockTimeoutError extends BatonError {
  constructor(
    readonly resource: string,
    readonly waitMs: number,
    kind: LockKind = 'lock',
  ) {
    super('LOCK_TIMEOUT', `${title(kind)} "${resource}" was not acquired within ${waitMs} ms; raise waitMs or shorten the holder's work.`);
  }
}

/**
 * Thrown (and used as the abort reason) when a held lock, semaphore grant or read/write lock is
 * known to be lost: expired, or taken by another holder.
 */
export class LockLostError extends BatonError {
  constructor(
    readonly resource: string,
    reason: string,
    options?: { cause?: unknown; kind?: LockKind },
  ) {
    const kind = options?.kind ?? 'lock';
    const after = kind === 'lock' || kind === 'write lock' ? 'is not exclusive' : 'is not covered by it';
    super('LOCK_LOST', `${title(kind)} "${resource}" was lost: ${reason}. Work done under it after this point ${after}.`, options);
  }
}

/**
 * Thrown when an acquisition gives a semaphore another `limit` than the one its current holders
 * and waiters use. A semaphore's limit is set by the first acquisition while it is idle (no
 * live holder, nobody waiting) and holds until it is idle again.
 */
export class SemaphoreLimitError extends InvalidArgumentError {
  constructor(
    readonly resource: string,
    readonly limit: number,
    readonly limitInForce: number,
  ) {
    super(
      'options.limit',
      `semaphore "${resource}" is in use with limit ${limitInForce}, not ${limit}; every caller of one semaphore must give the same limit (it can change once nobody holds or waits for it)`,
    );
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
