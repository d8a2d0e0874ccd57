import type { Task } from './queue.js';

/**
 * Where a task is in its life:
 * - `waiting`: ready to be leased; `delayed`: waiting for a delay or a retry backoff to pass;
 * - `active`: leased to a worker until its lease deadline;
 * - `finished`: completed (remembered for `retainFinishedMs`);
 * - `dead`: in the dead letters (kept as `retainDead` says);
 * - `cancelled`: stopped by `cancel` (remembered for `retainFinishedMs`).
 */
export type TaskState = 'waiting' | 'delayed' | 'active' | 'finished' | 'dead' | 'cancelled';

/** Every TaskState, in the order a task usually passes through them. */
export const TASK_STATES: readonly TaskState[] = ['waiting', 'delayed', 'active', 'finished', 'dead', 'cancelled'];

/** The states `purge` empties: every state but `active` (cancel active tasks instead). */
export type PurgeableState = Exclude<TaskState, 'active'>;

/**
 * A task Baton still holds the whole record of (every state but finished and cancelled): the
 * Task fields plus the latest progress it reported, if any, in this or an earlier attempt.
 */
export interface HeldTaskInfo<T = unknown> extends Task<T> {
  /** The latest value given to `progress` for this task; absent when none was reported. */
  progress?: unknown;
}

/** A task ready to be leased. `attempt` counts the deliveries it already had (0 before the first). */
export interface WaitingTaskInfo<T = unknown> extends HeldTaskInfo<T> {
  state: 'waiting';
}

/** A task that becomes ready at `dueAt`. */
export interface DelayedTaskInfo<T = unknown> extends HeldTaskInfo<T> {
  state: 'delayed';
  /** Backend clock time (ms) at which it becomes ready. */
  dueAt: number;
}

/** A leased task. `attempt` is the current delivery (1 on the first). */
export interface ActiveTaskInfo<T = unknown> extends HeldTaskInfo<T> {
  state: 'active';
  /** Backend clock time (ms) at which the lease runs out unless extended. */
  deadline: number;
  /** Who holds the lease: the `holder` given to `dequeue` (a Scheduler gives its nodeId); absent when none was given. */
  holder?: string;
}

/** A dead letter: `lastError` is what it died of. */
export interface DeadTaskInfo<T = unknown> extends HeldTaskInfo<T> {
  state: 'dead';
  lastError: string;
  /** Backend clock time (ms) at which it died. */
  endedAt: number;
}

/**
 * A completed task. Its record is dropped at completion, so only what is retained with its id
 * remains: when it finished and its result.
 */
export interface FinishedTaskInfo {
  id: string;
  state: 'finished';
  /** Backend clock time (ms) of the completion. */
  endedAt: number;
  /** What it was completed with; absent when it returned nothing. */
  result?: unknown;
}

/** A cancelled task: only what is retained with its id remains (when, and the reason given). */
export interface CancelledTaskInfo {
  id: string;
  state: 'cancelled';
  /** Backend clock time (ms) of the cancellation. */
  endedAt: number;
  /** The reason given to `cancel`; absent when none. */
  reason?: string;
}

/** What `queue.get` and `queue.list` report about one task; narrow on `state`. */
export type TaskInfo<T = unknown> = WaitingTaskInfo<T> | DelayedTaskInfo<T> | ActiveTaskInfo<T> | DeadTaskInfo<T> | FinishedTaskInfo | CancelledTaskInfo;

/** Options of `queue.list`. */
export interface ListOptions {
  /** Largest page (integer 1 to MAX_LIST_LIMIT). @default 100 */
  limit?: number;
  /** Where to go on: the `cursor` of the previous page of the same state. @default the first page */
  cursor?: string;
}

/** One page of `queue.list`. */
export interface TaskPage<T = unknown> {
  /** The tasks of the page, in the state's order (see Queue.list). */
  tasks: Array<TaskInfo<T>>;
  /** Give it to the next `list` call of the same state for the next page; null after the last page. */
  cursor: string | null;
}

/**
 * What `queue.remove` did: `removed` (the task and everything retained about it are gone),
 * `active` (it is leased: nothing changed; cancel it instead), `not-found` (unknown or forgotten).
 */
export type RemoveResult = 'removed' | 'active' | 'not-found';

/** Which dead letters `queue.retryDead` redrives: the given ids, or all of them. */
export type RetryDeadTarget = readonly string[] | { all: true };

/**
 * How many dead letters a queue keeps: the newest `count`, each for at most `ageMs`. Older ones
 * are dropped in bounded batches as tasks die or the queue is read; `stats().deadDropped` counts them.
 */
export interface RetainDeadOptions {
  /** Most dead letters kept (integer >= 1). @default 10_000 */
  count?: number;
  /** Longest a dead letter is kept (ms, integer >= 1). @default 604_800_000 (7 days) */
  ageMs?: number;
}
