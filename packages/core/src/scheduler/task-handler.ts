import type { QueueOptions, Task } from '../interfaces/index.js';

/** What a task handler gets besides the task. */
export interface TaskContext {
  /**
   * Aborts when the attempt must stop: the lease was lost (reason: LockLostError), the task was
   * cancelled (TaskCancelledError), the per-task timeout passed (TaskTimeoutError), or `stop()`
   * ran out of time (ClosedError). Pass it to I/O.
   */
  signal: AbortSignal;
  /** The id of the node running the task. */
  nodeId: string;
  /**
   * Moves the lease deadline to now + `ms` (integer >= 1). Rarely needed: the scheduler extends
   * leases of running handlers on its own. False (and the signal aborts) when the lease was lost.
   */
  extend(ms: number): Promise<boolean>;
  /**
   * Reports the task's progress (JSON, at most MAX_PROGRESS_BYTES): stored on the task and sent to
   * the queue's watchers as a `progress` event. False once this attempt no longer holds the task.
   * Throws SerializationError / InvalidArgumentError for a bad value, NotSupportedError on a
   * backend without progress.
   */
  progress(value: unknown): Promise<boolean>;
}

/**
 * Runs one task. Resolve to complete it, with what it resolves as the task's result (JSON, at most
 * maxPayloadBytes; `undefined` stores none; see `queue.result` / `waitFor`); throw (or reject) to
 * fail it. A result JSON cannot carry, or too large, fails the attempt with its
 * SerializationError / InvalidArgumentError (retried like a throw).
 */
export type TaskHandler<T = unknown> = (task: Task<T>, ctx: TaskContext) => Promise<unknown>;

/** Options of `scheduler.handle()`. */
export interface HandleOptions {
  /** How many tasks of this queue run at once on this node (integer >= 1). @default 1 */
  concurrency?: number;
  /**
   * Per-task time limit (ms): past it the signal aborts with TaskTimeoutError and the attempt is
   * failed at once (retried or dead-lettered like a throw), and its slot is free for the next task.
   * A handler that ignores its signal keeps running in the background; its result is ignored.
   * @default none
   */
  timeoutMs?: number;
  /** Options of the queue (visibility timeout, attempts, backoff, …); see QueueOptions. @default the queue defaults */
  queue?: QueueOptions;
}
