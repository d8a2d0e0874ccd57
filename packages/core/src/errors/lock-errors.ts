import { BatonError } from './baton-error.js';

/** Thrown when `acquire` could not get the lock within `waitMs`. */
export class LockTimeoutError extends BatonError {
  constructor(readonly resource: string, readonly waitMs: number) {
    super('LOCK_TIMEOUT', `Lock "${resource}" was not acquired within ${waitMs} ms; raise waitMs or shorten the holder's work.`);
  }
}

/** Thrown (and used as the abort reason) when a held lock is known to be lost: expired, or taken by another holder. */
export class LockLostError extends BatonError {
  constructor(readonly resource: string, reason: string, options?: { cause?: unknown }) {
    super('LOCK_LOST', `Lock "${resource}" was lost: ${reason}. Work done under it after this point is not exclusive.`, options);
  }
}
