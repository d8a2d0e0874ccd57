import type { ListOptions, PurgeableState, RemoveResult, RetainDeadOptions, RetryDeadTarget, TaskInfo, TaskPage, TaskState } from './queue-admin.js';
import type { QueueEvent, QueueWatch, WatchOptions } from './queue-events.js';
import type { CompleteOptions, TaskOutcome, WaitOptions } from './task-outcome.js';

/** A unit of work as stored in a queue. */
export interface Task<T = unknown> {
  /** Unique within the queue; given at enqueue or generated (a random UUID). */
  id: string;
  /** The JSON payload given at enqueue (a raw Redis list element is its own string payload). */
  payload: T;
  /** How many times the task has been leased, this lease included (1 on the first delivery). */
  attempt: number;
  /** Clock time (ms) of the enqueue. */
  enqueuedAt: number;
  /** The error message of the previous failed attempt, if any; on a dead letter, the reason it died. */
  lastError?: string;
  /**
   * Integer in [MIN_PRIORITY, MAX_PRIORITY]; higher is served sooner. Always set: 0 when the
   * enqueue gave none (and for a raw Redis list element).
   */
  priority: number;
  /** The headers given at enqueue, unchanged; absent when none were given. */
  headers?: TaskHeaders;
}

/**
 * Small string metadata carried with a task and handed back unchanged with every lease (e.g. a
 * producer's trace context: `traceparent`, `tracestate`). Keys 1–200 characters; at most
 * MAX_HEADERS_BYTES of UTF-8 JSON in all. Baton itself never reads them.
 */
export type TaskHeaders = Record<string, string>;

/** A task handed to one worker for a limited time. Complete, fail or extend it before `deadline`. */
export interface Lease<T = unknown> extends Task<T> {
  /** Proves ownership of this delivery; a later delivery of the same task has another token. */
  token: string;
  /** Clock time (ms) when the lease expires and `recoverStalled` may hand the task to someone else. */
  deadline: number;
}

/**
 * What `enqueue` did: `duplicate` when the id is already waiting, delayed or leased, `finished`
 * when it completed within `retainFinishedMs`, `cancelled` when it was cancelled within
 * `retainFinishedMs` (nothing is queued in those three cases).
 */
export interface EnqueueResult {
  id: string;
  status: 'queued' | 'duplicate' | 'finished' | 'cancelled';
}

/**
 * What `cancel` did: `cancelled` (it was waiting, delayed or active and is now cancelled),
 * `already-cancelled`, `finished` or `dead` (it had ended: nothing changed), `not-found` (unknown,
 * or its end was forgotten).
 */
export type CancelResult = 'cancelled' | 'already-cancelled' | 'finished' | 'dead' | 'not-found';

/** Options of one enqueued task. */
export interface EnqueueOptions {
  /** Task id for idempotent enqueue (1–200 characters). @default a random UUID */
  id?: string;
  /** Make the task ready only after this many ms (integer >= 0). @default 0 */
  delayMs?: number;
  /**
   * Integer in [MIN_PRIORITY, MAX_PRIORITY] (-1,000,000 to 1,000,000): ready tasks of a higher
   * priority are leased before those of a lower one; within one priority, first in first out. A
   * retried, delayed or recovered task keeps its priority. Throws NotSupportedError for a value
   * other than 0 on a backend without priorities. @default 0
   */
  priority?: number;
  /**
   * Headers stored with the task and returned unchanged on its leases (see TaskHeaders). Throws
   * InvalidArgumentError for a non-string value or more than MAX_HEADERS_BYTES, NotSupportedError on a
   * backend without headers. @default none
   */
  headers?: TaskHeaders;
}

/** Options of `dequeue` and `dequeueMany`. */
export interface DequeueOptions {
  /** Longest wait for a task while none is ready (ms, integer >= 0; 0: do not wait). @default 0 */
  waitMs?: number;
  /**
   * Ends the wait when it aborts: the call resolves at once with nothing (`null` / `[]`), takes
   * nothing, and a task enqueued afterwards waits for the next dequeue. An already aborted signal
   * takes nothing and does not wait. A signal that aborts while a lease step is under way may
   * still return what that step leased. @default none
   */
  signal?: AbortSignal;
  /**
   * Who takes the leases (1–200 characters), shown as `holder` by `get` and `list` on active
   * tasks. A Scheduler gives its nodeId. Backends without inspection ignore it. @default none
   */
  holder?: string;
}

/** Counts of one queue's tasks by state. */
export interface QueueStats {
  /** Ready to be leased. */
  waiting: number;
  /** Leased and not yet completed, failed or recovered. */
  active: number;
  /** Waiting for a delay or a retry backoff to pass. */
  delayed: number;
  /** In the dead-letter list. */
  dead: number;
  /**
   * Dead letters dropped by `retainDead` since the queue was created (a running total, never
   * reset). Present on backends with the `retainDead` capability.
   */
  deadDropped?: number;
}

/** Backoff between retries: attempt n waits about min(maxMs, baseMs * 2^(n-1)), with jitter. */
export interface BackoffOptions {
  /** @default 1_000 ms */
  baseMs?: number;
  /** @default 60_000 ms */
  maxMs?: number;
}

/**
 * Explicit storage names for a queue, so an existing deployment keeps its keys (Redis:
 * `{ waiting: 'tasks', finished: 'finished_tasks' }`). Backends without named storage ignore them.
 */
export interface QueueKeyNames {
  waiting?: string;
  finished?: string;
}

/** Options of a queue. Every handle on one queue name should use the same values. */
export interface QueueOptions {
  /** How long a lease lasts before the task may be recovered (ms). @default 30_000 */
  visibilityTimeoutMs?: number;
  /** Deliveries before a failing or stalling task goes to the dead-letter list. @default 3 */
  maxAttempts?: number;
  /** Retry backoff. @default { baseMs: 1_000, maxMs: 60_000 } */
  backoff?: BackoffOptions;
  /** How long a completed id is remembered, refusing re-enqueue and re-delivery (ms). @default 86_400_000 (24 h) */
  retainFinishedMs?: number;
  /** Largest serialized payload accepted by `enqueue` (bytes of UTF-8 JSON). @default 1_048_576 (1 MiB) */
  maxPayloadBytes?: number;
  /** Spread the queue over this many shards (Redis Cluster hash tags); FIFO holds per shard. @default 1 */
  shards?: number;
  /** Explicit storage names (see QueueKeyNames). */
  keys?: QueueKeyNames;
  /**
   * How many dead letters are kept, and for how long (see RetainDeadOptions), so a poison
   * producer cannot fill the backend. Backends without the `retainDead` capability keep them all.
   * @default { count: 10_000, ageMs: 604_800_000 }
   */
  retainDead?: RetainDeadOptions;
  /**
   * Cluster-wide limits on leasing from this queue (see QueueLimits), enforced in the lease step
   * itself, once for the whole queue (a sharded queue too). Throws NotSupportedError on a backend
   * without the `limits` capability, InvalidArgumentError for a bad value. @default none
   */
  limits?: QueueLimits;
}

/**
 * How fast a queue's tasks may be taken, across every node and handle. Both limits are judged in
 * the lease step (by the server's clock on a shared server), not counted by each worker; a lease
 * call that a limit refuses leases what the limits allow (maybe nothing) and, when asked to wait,
 * waits until a slot may free instead of polling: a completion, fail or cancellation frees a
 * concurrency slot at once, an expired lease at its deadline, and the rate window at its end.
 */
export interface QueueLimits {
  /**
   * At most this many leases of the queue active at once (integer, 1 to MAX_LIMIT). A lease
   * counts from its lease step until it is completed, failed or cancelled, or its deadline passes
   * (an expired lease frees its slot at its deadline, before recoverStalled takes it back). @default no limit
   */
  concurrency?: number;
  /**
   * At most `max` leases started per window of `perMs` ms (integers, 1 to MAX_LIMIT and 1 to
   * MAX_RATE_WINDOW_MS). A window opens with the first lease after the previous window ended and
   * lasts `perMs`; leases it refuses wait for the next one. Extensions and recoveries start no lease. @default no limit
   */
  rate?: { max: number; perMs: number };
}

/**
 * A reliable task queue. Delivery is at least once; a completed id is never delivered again while
 * it is retained. Ready tasks are served FIFO; recovered (stalled) tasks are served next.
 */
export interface Queue<T = unknown> {
  readonly name: string;
  /**
   * Adds a task. Atomic: an id that is waiting, delayed or leased gives `duplicate`, a retained
   * finished id gives `finished`, and nothing changes. Throws `InvalidArgumentError` for a bad id
   * or delay, `SerializationError` for a payload JSON cannot carry, `InvalidArgumentError` for a
   * payload over `maxPayloadBytes`.
   */
  enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Adds many tasks in one step; results are in input order. Validates every item before adding any. */
  enqueueMany(items: Array<{ payload: T } & EnqueueOptions>): Promise<EnqueueResult[]>;
  /**
   * Leases the oldest ready task (due delayed tasks first become ready), skipping ids that are
   * finished. With `waitMs` > 0 waits up to that long for one, woken by enqueue (no polling);
   * resolves `null` when none came, or at once when `signal` aborts (see DequeueOptions).
   * @default waitMs 0
   */
  dequeue(options?: DequeueOptions): Promise<Lease<T> | null>;
  /** Leases up to `max` (integer >= 1) ready tasks; waits up to `waitMs` only while there are none, and not past `signal`'s abort. */
  dequeueMany(max: number, options?: DequeueOptions): Promise<Lease<T>[]>;
  /**
   * Marks the leased task finished and drops it, keeping `options.result` (if given) with the
   * finished id for `retainFinishedMs`. Returns false, changing nothing, when the lease is no longer
   * this worker's (recovered by `recoverStalled`, or already completed or failed). Throws
   * SerializationError / InvalidArgumentError for a result JSON cannot carry or over
   * `maxPayloadBytes`, before anything is written.
   */
  complete(lease: Lease<T>, options?: CompleteOptions): Promise<boolean>;
  /**
   * Records a failed attempt. Below `maxAttempts` the task is retried after `retryInMs` or the
   * backoff ('retry'); at `maxAttempts` it goes to the dead-letter list with the error ('dead').
   * 'lost' when the lease is no longer this worker's (nothing changes).
   */
  fail(lease: Lease<T>, error: unknown, options?: { retryInMs?: number }): Promise<'retry' | 'dead' | 'lost'>;
  /** Moves the lease's deadline to now + `ms`. False when the lease is no longer this worker's. */
  extend(lease: Lease<T>, ms: number): Promise<boolean>;
  /** True when the id completed within `retainFinishedMs`. */
  isFinished(id: string): Promise<boolean>;
  /**
   * Returns every lease whose deadline has passed to the front of the ready list, or to the
   * dead-letter list when it used its last attempt. Idempotent and safe to run from every node.
   * Resolves the number of tasks recovered or dead-lettered.
   */
  recoverStalled(): Promise<number>;
  /** Current counts by state. */
  stats(): Promise<QueueStats>;
  /** Dead letters, newest first, up to `limit`. @default limit 100 */
  deadLetters(limit?: number): Promise<Task<T>[]>;

  /**
   * Cancels task `id` from any node, in one step. A waiting or delayed task is removed; an active
   * one is taken from its holder, whose `complete`, `fail`, `extend` and `progress` are refused
   * from then on (the Scheduler running it aborts its `ctx.signal` with TaskCancelledError at once
   * on the `cancelled` event, at worst at its next lease extension). Either way the task is
   * recorded as cancelled, with `reason`, for `retainFinishedMs`: it is never retried, its outcome
   * is `cancelled`, and an enqueue of its id says `cancelled`. Throws InvalidArgumentError for a bad
   * id or a reason that is not a string of at most 2,000 characters. Capability `cancel`.
   */
  cancel(id: string, reason?: string): Promise<CancelResult>;
  /**
   * Stores the latest progress of a leased task (JSON, at most MAX_PROGRESS_BYTES) and emits a
   * `progress` event. False, storing nothing, when the lease is no longer this worker's. Throws
   * SerializationError / InvalidArgumentError for a value JSON cannot carry or too large.
   * Capability `progress`.
   */
  progress(lease: Lease<T>, value: unknown): Promise<boolean>;
  /**
   * How task `id` ended, if it has: finished (within `retainFinishedMs`, with its result), dead
   * (while it is in the dead letters, with its error) or cancelled. Undefined while it is waiting,
   * delayed or active, and for an unknown or forgotten id. Capability `results`.
   */
  outcome<R = unknown>(id: string): Promise<TaskOutcome<R> | undefined>;
  /**
   * The result task `id` was completed with, while its finished id is retained; undefined when it
   * is not finished (or forgotten) or completed without a result. Capability `results`.
   */
  result<R = unknown>(id: string): Promise<R | undefined>;
  /**
   * Waits for task `id` to end and resolves its outcome: at once when it already has one, else when
   * the outcome's event arrives (woken by the event, not by polling; after a reconnect it looks
   * again). An id not enqueued yet is waited for. Rejects with WaitTimeoutError after `timeoutMs`,
   * with the signal's reason when it aborts, ClosedError when the backend closes. Capabilities
   * `results` and `events`.
   */
  waitFor<R = unknown>(id: string, options?: WaitOptions): Promise<TaskOutcome<R>>;
  /**
   * Request/response: enqueues like `enqueue` (subscribed to the outcome first, so none is missed)
   * and waits like `waitFor`; `timeoutMs` counts from the call. An id that is already finished
   * resolves its stored outcome at once; a duplicate waits for the task already queued. Throws what
   * `enqueue` and `waitFor` throw.
   */
  enqueueAndWait<R = unknown>(payload: T, options?: EnqueueOptions & WaitOptions): Promise<TaskOutcome<R>>;
  /**
   * Calls `listener` with this queue's events from every node (see QueueEvent for what is and is
   * not delivered). Returns the unsubscribe function, whose `ready` says when the subscription is
   * in place. A listener that throws is logged and does not stop others. Capability `events`.
   */
  watch(listener: (event: QueueEvent) => void, options?: WatchOptions): QueueWatch;

  /**
   * What the queue knows about task `id` now, read in one step: its state and the fields of that
   * state (see TaskInfo); undefined for an unknown or forgotten id. O(1) in the number of tasks.
   * Throws InvalidArgumentError for a bad id. Capability `inspection`.
   */
  get(id: string): Promise<TaskInfo<T> | undefined>;
  /**
   * One page of the tasks in `state`, in that state's order: `waiting` in lease order (higher
   * priority first, then first in first out); `delayed` by due time; `active` by lease deadline;
   * `finished`, `dead` and `cancelled` most recent first. Ties go by id. Walk the pages with the
   * returned cursor: the walk never returns a task twice and skips none that stayed in the state
   * throughout, even while other tasks leave it (a task that enters the state, or an active task
   * whose lease is extended, may be missed or seen again). Each page is read in one step. Throws
   * InvalidArgumentError for an unknown state or a bad limit, InvalidCursorError for a cursor that
   * is not one `list` returned for this state. Capability `inspection`.
   */
  list(state: TaskState, options?: ListOptions): Promise<TaskPage<T>>;
  /**
   * Stops leasing for every handle on every node: lease calls find nothing (blocked ones keep
   * waiting) until `resume`. Producers keep enqueueing; active tasks run on, and complete, fail,
   * extend and recovery work as usual. Idempotent. Capability `pause`.
   */
  pause(): Promise<void>;
  /** Lets leasing go on after `pause`: blocked dequeues of every node are served at once. Idempotent. Capability `pause`. */
  resume(): Promise<void>;
  /** True while the queue is paused (by any node). Capability `pause`. */
  isPaused(): Promise<boolean>;
  /**
   * Redrives dead letters: each given id that is dead (or every dead letter, with `{ all: true }`)
   * becomes waiting at the back of its priority, with its attempt count starting afresh (its next
   * lease is attempt 1) and its payload, priority, headers and last error kept. Ids that are not
   * dead are skipped. `{ all: true }` works in bounded batches (a dead letter added meanwhile may
   * be redriven too). Resolves how many were redriven. Throws InvalidArgumentError for a target
   * that is neither an array of ids (at most MAX_BATCH) nor `{ all: true }`. Capability `inspection`.
   */
  retryDead(target: RetryDeadTarget): Promise<number>;
  /**
   * Forgets task `id` in one step, in any state but active: a waiting or delayed task is never
   * delivered, a dead letter, a finished id (and its result) or a cancellation is dropped, so the
   * id can be enqueued afresh. See RemoveResult. Throws InvalidArgumentError for a bad id.
   * Capability `inspection`.
   */
  remove(id: string): Promise<RemoveResult>;
  /**
   * Removes every task in `state` (as `remove` does), in bounded batches of at most
   * PURGE_BATCH tasks per atomic step, so a large purge never blocks the backend for long; tasks
   * that enter the state meanwhile may be removed too. Resolves how many were removed. Throws
   * InvalidArgumentError for `active` or an unknown state. Capability `inspection`.
   */
  purge(state: PurgeableState): Promise<number>;
}
