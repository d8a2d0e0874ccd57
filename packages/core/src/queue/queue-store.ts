import type {
  CancelResult,
  EnqueueResult,
  Lease,
  PurgeableState,
  QueueEvent,
  QueueEventType,
  QueueStats,
  RemoveResult,
  Task,
  TaskInfo,
  TaskOutcome,
  TaskState,
} from '../interfaces/index.js';
import type { PreparedTask } from './queue-input.js';

/** What a failed attempt becomes, decided by core from the attempt count and the backoff policy. */
export interface FailDecision {
  /** The error message stored on the task (at most 2,000 characters and an ellipsis). */
  message: string;
  /** True: move to the dead letters. False: retry after `retryInMs`. */
  dead: boolean;
  /** Delay before the retry (ms, integer >= 0; 0: ready at once). Meaningless when `dead`. */
  retryInMs: number;
}

/** The delivery a store checks before it changes a leased task: the lease's id and token. */
export interface LeaseRef {
  readonly id: string;
  readonly token: string;
}

/** How a lease call waits while no task is ready. */
export interface LeaseWait {
  /** Longest wait (ms, integer >= 0; 0: answer at once). */
  waitMs: number;
  /** Ends the wait early, resolving with no tasks (never a rejection). @default none */
  signal?: AbortSignal;
  /** Who takes the leases (checked by core: 1–200 characters), kept with each lease for `get` and `list`. @default none */
  holder?: string;
}

/** One page of QueueStore.list, in store positions (core wraps them into cursors). */
export interface StorePage {
  /** The tasks of the page, in the state's order. */
  tasks: TaskInfo<unknown>[];
  /** The position to go on after (that of the page's last task) when more may follow; undefined after the last page. */
  next: string | undefined;
}

/**
 * Optional behaviours a store carries through its required methods (rather than through methods
 * of its own), so core cannot tell from the methods alone. A missing or false entry means the
 * store lacks it: core refuses the option with NotSupportedError instead of letting it be ignored.
 */
export interface QueueStoreSupport {
  /**
   * `add` stores each task's `priority` and `lease` serves ready tasks highest priority first,
   * FIFO within one priority (see QueueStore.lease). Without it core refuses a priority other than 0.
   */
  priorities?: boolean;
  /** `add` stores each task's `headers` and every lease and dead letter returns them unchanged. */
  headers?: boolean;
  /**
   * `complete` keeps the `result` it is given with the finished id (the store must then implement
   * `outcome` too). Without it core refuses a result other than undefined.
   */
  results?: boolean;
  /**
   * The store keeps at most `retainDead.count` dead letters, none older than `retainDead.ageMs`
   * (from the handle's resolved options): a step that dead-letters a task, and the reading steps
   * (stats, deadLetters, outcome, get, list), first drop the oldest that are past either limit, at
   * most PURGE_BATCH per step, so a backlog of expired dead letters is worked off over several
   * steps rather than in one long one. A dropped dead letter is forgotten like a removed one.
   * `stats` reports `deadDropped`: how many were dropped over the queue's life.
   */
  retainDead?: boolean;
  /**
   * `lease` enforces the handle's `limits` (ResolvedQueueOptions.limits) for the whole queue, every
   * handle and node: see QueueStore.lease. Complete, fail, cancel and a lease deadline passing free
   * a concurrency slot and wake lease calls that a limit held back. Without it core refuses
   * `options.limits` with NotSupportedError.
   */
  limits?: boolean;
  /**
   * A waiting `lease` is woken by every change that makes a task ready (an enqueue, a retry, a
   * recovery or a delayed task falling due, from any handle or node, and writes by other clients
   * the store knows of), and the store itself recovers a wake-up that got lost within a bound it
   * documents. A caller may then wait as long as it likes: a Scheduler's idle workers wait until
   * woken (or stopped) instead of looking again every `idleWaitMs`, so an idle queue costs
   * nothing between events.
   */
  wakeups?: boolean;
}

/** A subscription of QueueStore.watch. */
export interface QueueSubscription {
  /** Resolves once every step that starts afterwards is seen (at once for an in-process store). Never rejects. */
  readonly ready: Promise<void>;
  /** Ends the subscription; no event is delivered after it returns. Idempotent. */
  close(): void;
}

/**
 * The primitive steps of one queue in a backend's storage, for one handle's resolved options
 * (given to the store when the backend creates it). Core's StoreQueue builds the Queue on top:
 * argument checks, ClosedError once closed, payload serialization, ids, and the retry decision.
 * A store receives only checked values and never re-validates them.
 *
 * Every method is one atomic step in the storage (a Lua script, a transaction, a synchronous
 * update of shared state): a reader on another node never sees half of it. "Now" is the store's
 * own time: the injected Clock for an in-process store; a shared server should judge lease
 * deadlines by the server's clock. Failures of the storage reject with a BatonError
 * (BackendUnavailableError when it cannot be reached, BackendDataError when it holds data Baton
 * cannot read); a store never resolves a guess.
 *
 * The task states are waiting (ready), delayed (until a due time), active (leased until a
 * deadline), finished (retained for `retainFinishedMs`), dead. A new capability of the queue
 * (priorities, limits, results, cancellation, progress, events, inspection) is a new method
 * here, documented the same way; a method a store may lack is optional, and the conformance
 * suite's capability flag for it says so.
 */
export interface QueueStore {
  /** The optional behaviours this store has beyond its methods. @default none */
  readonly supports?: QueueStoreSupport;
  /**
   * Stores `tasks` (in that order), each unless its id is waiting, delayed or active
   * (`duplicate`), finished within retention (`finished`) or cancelled within retention
   * (`cancelled`, with the cancel capability); an id given twice in one call is
   * `duplicate` the second time. A task with `delayMs` 0 becomes waiting at the back of the ready
   * order of its priority, else delayed until now + delayMs (ms). Records the enqueue time (ms),
   * the priority and the headers (with `supports.priorities` / `supports.headers`). Atomic per call;
   * a store may split a call of more than 1,000 tasks into atomic slices in order. Resolves one
   * result per task, in input order. Wakes blocked lease calls of any handle or node. Emits
   * `enqueued` with the ids it queued.
   */
  add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]>;
  /**
   * Leases up to `max` (1 to MAX_BATCH) ready tasks in ready order, after moving delayed tasks
   * that are due to the ready order and skipping finished ids. The ready order: higher priority
   * first; within one priority, recovered tasks first (earliest deadline first), then the others
   * in the order they became ready (enqueue, retry or delayed task falling due, by due time). A
   * store without priorities has one priority. Every lease carries the task's `priority` (0 by
   * default) and its `headers` when it has any. Each lease gets a new token, attempt + 1 and a
   * deadline of now + visibilityTimeoutMs (ms). With nothing ready it waits up to `wait.waitMs`
   * for tasks (woken by an enqueue, a retry or a delayed task falling due, not by polling) and
   * resolves [] when the wait runs out, the signal aborts or the backend closes. Atomic per lease
   * step; the wait itself holds nothing. Emits `active` with the ids it leased.
   *
   * With `limits` (capability `limits`), one lease step leases at most `concurrency` minus the
   * queue's live leases (active with a deadline after now, leased by any handle or node) and at
   * most `rate.max` minus the leases started in the current rate window (which opens with the
   * first lease after the previous window ended and lasts `rate.perMs`), judged in the step itself.
   * A call that a limit held back to nothing, with tasks ready, waits (within `wait.waitMs`) until
   * a slot may free: woken by a complete, fail or cancel of an active task, or by the clock at the
   * earliest live lease deadline or the window's end; it never polls faster than that.
   */
  lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]>;
  /**
   * If `lease.token` still holds the task (active, same token), marks its id finished at now for
   * retention, with `result` (JSON text, checked by core) when given, and drops the task; resolves
   * true. Resolves false and changes nothing when the lease is gone (recovered and re-leased,
   * completed, failed, dead-lettered, cancelled, or the id is unknown). May forget ids finished
   * before now − retainFinishedMs (and their results). Core passes `result` only with
   * `supports.results`. Emits `completed` (with the parsed result).
   */
  complete(lease: LeaseRef, result?: string): Promise<boolean>;
  /**
   * If `lease.token` still holds the task: stores `decision.message` as its `lastError`, then
   * dead-letters it (`decision.dead`) or makes it delayed until now + `decision.retryInMs` (ms;
   * waiting at once when 0), attempt unchanged; resolves true. False, nothing changed, when the
   * lease is gone (as for complete). Emits `failed` (and `dead` when it died).
   */
  fail(lease: LeaseRef, decision: FailDecision): Promise<boolean>;
  /** If `lease.token` still holds the task, sets its deadline to now + `ms` (ms >= 1); false, nothing changed, when the lease is gone. */
  extend(lease: LeaseRef, ms: number): Promise<boolean>;
  /** True when `id` finished less than retainFinishedMs ago. An unknown or expired id is false, never an error. */
  isFinished(id: string): Promise<boolean>;
  /**
   * Takes back every lease whose deadline is at or before now: to the front of its priority's
   * ready order (earliest deadline first), or to the dead letters when its attempt reached
   * maxAttempts, with a `lastError` saying it stalled. Resolves how many tasks it moved. Idempotent, safe to run
   * on every node at once; may work in atomic slices, each of which moves a lease at most once.
   * Emits `failed` for each (and `dead` for those that died).
   */
  recoverStalled(): Promise<number>;
  /** Counts by state at one moment; delayed tasks already due count as waiting. */
  stats(): Promise<QueueStats>;
  /** Dead letters, newest first, at most `limit` (1 to MAX_BATCH), each with its `lastError` (what it died of), priority and headers. */
  deadLetters(limit: number): Promise<Task<unknown>[]>;

  /**
   * Capability `results`: how task `id` ended, read in one step. `finished` while its id is
   * retained (with the parsed result, undefined when it had none), `dead` while it is in the dead
   * letters (with its `lastError`), `cancelled` while its cancellation is retained (with the
   * reason); undefined otherwise (waiting, delayed, active, unknown, forgotten). Never an error for
   * an unknown id.
   */
  outcome?(id: string): Promise<TaskOutcome | undefined>;
  /**
   * Capability `cancel`: in one step, a waiting or delayed task is removed and an active one taken
   * from its holder (its token no longer holds it: complete, fail, extend and progress answer as
   * for a lost lease), and either way `id` is recorded as cancelled at now with `reason`, kept for
   * retainFinishedMs like a finished id: `add` answers `cancelled` for it, `outcome` answers
   * `{ state: 'cancelled', reason }`, `recoverStalled` never sees it. Emits `cancelled` (with the
   * state it was in). Returns `already-cancelled`, `finished` or `dead` when the task had ended
   * (nothing changes), `not-found` for an unknown or forgotten id.
   */
  cancel?(id: string, reason: string | undefined): Promise<CancelResult>;
  /**
   * Capability `progress`: if `lease.token` still holds the task, stores `json` (checked by core,
   * at most MAX_PROGRESS_BYTES) as its latest progress, replacing the previous one, and emits
   * `progress` with the parsed value; true. False, nothing stored, when the lease is gone.
   */
  progress?(lease: LeaseRef, json: string): Promise<boolean>;
  /**
   * Capability `events`: delivers this queue's events from every node to `listener` until the
   * subscription is closed, only those of `types` (all when undefined) plus `reconnected`, which
   * the store sends after a dropped subscription was re-established. Events are the store's to
   * produce: the methods above say which step emits which (a lease step emits `active` with the
   * ids it leased, `add` emits `enqueued` with the ids it queued, when there are any). Delivery is
   * asynchronous (never inside the step), in step order per shard, each listener call with its own
   * parsed copies of results and progress values. Core calls it for every `waitFor` and `watch`,
   * so a store should share one server subscription per queue among its listeners. Never throws:
   * a failure to subscribe is retried until closed (and logged), `ready` waiting for it.
   */
  watch?(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription;

  /**
   * Capability `inspection`: task `id` as it is now (see TaskInfo), read in one step without a scan;
   * undefined for an unknown or forgotten id (a finished id or cancellation past its retention).
   * Payloads, results and progress are parsed; an active task carries its deadline and the
   * `holder` its lease call gave. A delayed task already due is reported waiting (as `stats` counts it).
   */
  get?(id: string): Promise<TaskInfo<unknown> | undefined>;
  /**
   * Capability `inspection`: up to `limit` (1 to MAX_LIST_LIMIT) tasks in `state`, in the state's
   * order (see Queue.list), starting after position `after` (a `next` this store returned for the
   * same state; undefined: from the start). A position names a place in the order, not an offset,
   * so tasks that leave the state between pages shift nothing. Throws InvalidCursorError for a
   * position it cannot read. One step per page.
   */
  list?(state: TaskState, limit: number, after: string | undefined): Promise<StorePage>;
  /**
   * Capability `pause`: sets or clears the queue's paused flag, shared by every handle and node.
   * While it is set, lease steps take nothing (blocked lease calls keep waiting); clearing it serves
   * blocked lease calls of every node at once. Idempotent.
   */
  setPaused?(paused: boolean): Promise<void>;
  /** Capability `pause`: the paused flag. */
  isPaused?(): Promise<boolean>;
  /**
   * Capability `inspection`: in one step, moves up to `max` dead letters (those of `ids` that are
   * dead; with `ids` undefined, any, oldest first) to the back of their priority's ready order with
   * attempt 0 (the next lease is attempt 1), keeping payload, priority, headers and lastError.
   * Wakes blocked lease calls. Resolves how many it moved.
   */
  retryDead?(ids: readonly string[] | undefined, max: number): Promise<number>;
  /**
   * Capability `inspection`: in one step, forgets `id` in any state but active (see RemoveResult):
   * a waiting or delayed task, a dead letter, a finished id with its result, a cancellation.
   */
  remove?(id: string): Promise<RemoveResult>;
  /**
   * Capability `inspection`: in one step, removes up to `max` tasks in `state` (as `remove` does);
   * resolves how many. Core calls it until it removes fewer than `max`.
   */
  purge?(state: PurgeableState, max: number): Promise<number>;
}
