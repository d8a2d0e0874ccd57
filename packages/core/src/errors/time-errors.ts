import { BatonError } from './baton-error.js';

/**
 * Thrown by `ManualClock.advanceUntil` (and the test cluster's) when what it awaited did not
 * happen within `maxMs` of clock time. `cause` is the last error the check threw, if it threw.
 */
export class ConditionTimeoutError extends BatonError {
  constructor(
    /** What was awaited, as the caller named it. */
    readonly what: string,
    /** The clock time (ms) it was given. */
    readonly maxMs: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('CONDITION_TIMEOUT', `Waited ${maxMs} ms of clock time for ${what}, and it did not happen${detail}.`, options);
  }
}
