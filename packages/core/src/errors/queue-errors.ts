import { BatonError } from './baton-error.js';

/**
 * The reason of a running task's `ctx.signal` when the task was cancelled (`queue.cancel(id)`), on
 * whichever node runs it. The attempt is not recorded (its completion is refused) and never retried.
 */
export class TaskCancelledError extends BatonError {
  constructor(
    readonly taskId: string,
    /** The reason given to `cancel`, if any. */
    readonly reason: string | undefined,
  ) {
    super('TASK_CANCELLED', `Task "${taskId}" was cancelled${reason === undefined ? '' : `: ${reason}`}. Stop its work; nothing it does now is recorded.`);
  }
}

/** Thrown by `queue.waitFor` / `enqueueAndWait` when the task had no outcome within `timeoutMs`. The task itself is unaffected. */
export class WaitTimeoutError extends BatonError {
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super('WAIT_TIMEOUT', `Task "${taskId}" had no outcome within ${timeoutMs} ms; it may still run (waitFor again, or cancel it).`);
  }
}
