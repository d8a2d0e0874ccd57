/** Stable codes carried by every Baton error; match on `error.code`, not on messages. */
export type BatonErrorCode =
  | 'LOCK_TIMEOUT'
  | 'LOCK_LOST'
  | 'LOCK_NOT_REPLICATED'
  | 'INVALID_ARGUMENT'
  | 'SERIALIZATION'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_DATA'
  | 'BACKEND_FULL'
  | 'UNSAFE_EVICTION_POLICY'
  | 'CLOSED'
  | 'TASK_TIMEOUT'
  | 'CONDITION_TIMEOUT'
  | 'NOT_SUPPORTED'
  | 'TASK_CANCELLED'
  | 'WAIT_TIMEOUT'
  | 'INVALID_CURSOR';

/** Base class of every error Baton throws; `code` is stable across releases. */
export class BatonError extends Error {
  readonly code: BatonErrorCode;

  constructor(code: BatonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `error` is a BatonError, optionally with the given code. */
export function isBatonError(error: unknown, code?: BatonErrorCode): error is BatonError {
  return error instanceof BatonError && (code === undefined || error.code === code);
}
