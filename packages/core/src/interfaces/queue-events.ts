/**
 * What happened to a queue, as `queue.watch` delivers it, from every node of the deployment.
 *
 * Every event names its queue and carries `at`: the backend's clock time (ms) of the step that
 * caused it (the server's on a shared server). One step's events are delivered after the step,
 * never inside it, and the events of one queue reach a watcher in the order of their steps (on a
 * sharded queue: in order per shard). Events are not stored: a watcher sees what happens while it
 * is subscribed. A watcher whose connection dropped misses the events of the gap and then gets a
 * `reconnected` event; it should re-read what it cares about (`waitFor` does this on its own).
 */
export type QueueEvent = EnqueuedEvent | ActiveEvent | CompletedEvent | FailedEvent | DeadEvent | CancelledEvent | ProgressEvent | ReconnectedEvent;

/** The `type` of a QueueEvent. */
export type QueueEventType = QueueEvent['type'];

/** Every QueueEventType, in no particular order. */
export const QUEUE_EVENT_TYPES: readonly QueueEventType[] = ['enqueued', 'active', 'completed', 'failed', 'dead', 'cancelled', 'progress', 'reconnected'];

/** Fields of every QueueEvent. */
export interface QueueEventBase {
  /** The queue's name. */
  queue: string;
  /** Backend clock time (ms) of the step. */
  at: number;
}

/** Tasks were stored by one `enqueue`/`enqueueMany` call (waiting or delayed): the ids that were `queued`, in input order. */
export interface EnqueuedEvent extends QueueEventBase {
  type: 'enqueued';
  ids: string[];
}

/** Tasks were leased by one lease step (a `dequeue`/`dequeueMany` call, or a blocked one being served). */
export interface ActiveEvent extends QueueEventBase {
  type: 'active';
  ids: string[];
}

/** A task completed; `result` is what it was completed with (absent when none). */
export interface CompletedEvent extends QueueEventBase {
  type: 'completed';
  id: string;
  result?: unknown;
}

/**
 * An attempt failed: `fail` was called, or `recoverStalled` took back an expired lease (its error
 * then says it stalled). `willRetry` false means the task is dead (a `dead` event follows).
 */
export interface FailedEvent extends QueueEventBase {
  type: 'failed';
  id: string;
  /** The attempt that failed (1 = the first delivery). */
  attempt: number;
  /** The error message recorded as the task's `lastError`. */
  error: string;
  willRetry: boolean;
}

/** A task went to the dead letters, with the error it died of. */
export interface DeadEvent extends QueueEventBase {
  type: 'dead';
  id: string;
  attempt: number;
  error: string;
}

/**
 * A task was cancelled (`queue.cancel`). `from` is the state it was cancelled in; when it was
 * `active`, the node running it aborts its handler on this event.
 */
export interface CancelledEvent extends QueueEventBase {
  type: 'cancelled';
  id: string;
  from: 'waiting' | 'delayed' | 'active';
  /** The reason given to `cancel`; absent when none. */
  reason?: string;
}

/** A running task reported progress (`queue.progress` / `ctx.progress`). */
export interface ProgressEvent extends QueueEventBase {
  type: 'progress';
  id: string;
  progress: unknown;
}

/**
 * The watcher's subscription was re-established after its connection dropped: events of the gap
 * were missed. Delivered whatever `types` the watcher asked for. The memory backend never sends it.
 */
export interface ReconnectedEvent extends QueueEventBase {
  type: 'reconnected';
}

/** Options of `queue.watch`. */
export interface WatchOptions {
  /**
   * Only these event types (a backend may then skip work for the others); `reconnected` always
   * comes. @default every type
   */
  types?: readonly QueueEventType[];
}

/**
 * What `queue.watch` returns: call it to unsubscribe (idempotent). `ready` resolves once the
 * subscription is in place, so that every step that starts after it is seen (at once on memory;
 * after the server confirmed the subscription on Redis).
 */
export interface QueueWatch {
  (): void;
  readonly ready: Promise<void>;
}
