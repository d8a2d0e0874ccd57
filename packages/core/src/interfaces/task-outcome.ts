/**
 * How a task ended, as `outcome`, `waitFor` and `enqueueAndWait` report it:
 * - `finished`: it completed; `result` is what its handler returned (undefined when nothing).
 * - `dead`: it went to the dead letters; `error` is the error it died of.
 * - `cancelled`: `cancel` stopped it; `reason` is the reason given, if any.
 */
export type TaskOutcome<R = unknown> =
  { state: 'finished'; result: R | undefined } | { state: 'dead'; error: string } | { state: 'cancelled'; reason: string | undefined };

/** Options of `queue.waitFor` (and the waiting part of `enqueueAndWait`). */
export interface WaitOptions {
  /**
   * Longest wait (ms, integer >= 0; 0: look once) before rejecting with WaitTimeoutError. The task
   * itself is not affected. @default no limit
   */
  timeoutMs?: number;
  /** Gives up the wait when it aborts: rejects with the signal's reason. @default none */
  signal?: AbortSignal;
}

/** Options of `queue.complete`. */
export interface CompleteOptions {
  /**
   * The task's result (JSON, at most `maxPayloadBytes`, the same rules as payloads), kept with the
   * finished id for `retainFinishedMs`. Refused with SerializationError / InvalidArgumentError
   * before anything is written, and with NotSupportedError on a backend without results.
   * `undefined` stores no result. @default none
   */
  result?: unknown;
}
