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
  SharedTimer,
} from '@baton/core';
import { PURGE_BATCH } from '@baton/core/adapter';
import type { FailDecision, LeaseRef, LeaseWait, PreparedTask, QueueStore, QueueSubscription, ResolvedQueueOptions, StorePage } from '@baton/core/adapter';
import type { BackendScope } from './backend-scope.js';
import type { QueueAdminState } from './queue-admin-state.js';
import type { DeadRecord, DequeueWaiter, LeaseRecord } from './queue-state.js';
import { pageOf, toTaskInfo } from './task-view.js';
import type { StateEvent } from './queue-watchers.js';

/**
 * Core's QueueStore over a queue held in a MemoryStore. Every step runs synchronously on the
 * shared state, so it is atomic with respect to all handles and backends on that store. Blocking
 * lease calls wait without polling: an enqueue, a recovery, a retry or a delayed task falling due
 * (a clock timer) wakes them. The timers of all blocked lease calls of a backend share one clock
 * timer (BackendScope.timers), so idle queues cost no timer each.
 *
 * `shards` is accepted (and validated by core) but changes nothing here: one process serves the
 * whole queue in one FIFO order, which satisfies what any shard count promises (FIFO per shard).
 * `keys` is ignored: memory has no key names.
 */
export class MemoryQueueStore implements QueueStore {
  /** See QueueStore.supports. */
  readonly supports = { priorities: true, headers: true, results: true, retainDead: true, limits: true, wakeups: true } as const;
  private readonly state: QueueAdminState;

  /** `options` come resolved by core's resolveQueueOptions (the handle's StoreQueue gets the same). */
  constructor(
    private readonly name: string,
    private readonly options: ResolvedQueueOptions,
    private readonly scope: BackendScope,
  ) {
    this.state = scope.store.queue(name);
  }

  /** See QueueStore.add. */
  async add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]> {
    const now = this.scope.clock.now();
    this.state.known = true;
    const results = tasks.map((task) => ({ id: task.id, status: this.state.add(task, now, this.options.retainFinishedMs) }));
    if (this.state.watchers.wants('enqueued')) this.state.added(queuedIds(results), now);
    this.state.serve(now);
    return results;
  }

  /** See QueueStore.lease. */
  async lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]> {
    const now = this.scope.clock.now();
    this.state.known = true;
    // Earlier blocked dequeues are served before this one takes anything.
    this.state.serve(now);
    const records = this.state.take(max, now, this.options.visibilityTimeoutMs, wait.holder, this.options.limits);
    if (records.length > 0 || wait.waitMs === 0 || wait.signal?.aborted) return records.map(toLease);
    return this.wait(max, now, now + wait.waitMs, wait.signal, wait.holder);
  }

  /** See QueueStore.complete. */
  async complete(lease: LeaseRef, result?: string): Promise<boolean> {
    const now = this.scope.clock.now();
    const held = this.state.complete(lease.id, lease.token, now, this.options.retainFinishedMs, result);
    // A freed concurrency slot goes to a dequeue that a limit held back.
    if (held) this.state.slotFreed(now);
    return held;
  }

  /** See QueueStore.fail. */
  async fail(lease: LeaseRef, decision: FailDecision): Promise<boolean> {
    const now = this.scope.clock.now();
    const held = this.state.fail(lease.id, lease.token, decision, now);
    // A retry may be due at once, or sooner than what blocked dequeues are waiting for.
    if (held) this.state.serve(now);
    if (held && decision.dead) this.pruneDead(now);
    return held;
  }

  /** See QueueStore.extend. */
  async extend(lease: LeaseRef, ms: number): Promise<boolean> {
    return this.state.extend(lease.id, lease.token, ms, this.scope.clock.now());
  }

  /** See QueueStore.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    return this.state.isFinished(id, this.scope.clock.now(), this.options.retainFinishedMs);
  }

  /** See QueueStore.recoverStalled; uses this handle's maxAttempts. */
  async recoverStalled(): Promise<number> {
    const now = this.scope.clock.now();
    const count = this.state.recover(now, this.options.maxAttempts);
    if (count > 0) this.state.serve(now);
    this.pruneDead(now);
    return count;
  }

  /** See QueueStore.stats; due delayed tasks count as waiting. */
  async stats(): Promise<QueueStats> {
    const now = this.scope.clock.now();
    this.state.serve(now);
    this.pruneDead(now);
    return { ...this.state.stats(), deadDropped: this.state.deadDropped };
  }

  /** See QueueStore.deadLetters. */
  async deadLetters(limit: number): Promise<Task<unknown>[]> {
    this.pruneDead(this.scope.clock.now());
    return this.state.deadLetters(limit).map(toDeadTask);
  }

  /** See QueueStore.outcome. */
  async outcome(id: string): Promise<TaskOutcome | undefined> {
    this.pruneDead(this.scope.clock.now());
    const outcome = this.state.outcome(id, this.scope.clock.now(), this.options.retainFinishedMs);
    if (outcome?.state === 'finished') return { state: 'finished', result: parse(outcome.result) };
    return outcome;
  }

  /** See QueueStore.cancel; cancellations are kept for this handle's retainFinishedMs. */
  async cancel(id: string, reason: string | undefined): Promise<CancelResult> {
    const now = this.scope.clock.now();
    const result = this.state.cancel(id, reason, now, this.options.retainFinishedMs);
    if (result === 'cancelled') this.state.slotFreed(now);
    return result;
  }

  /** See QueueStore.progress. */
  async progress(lease: LeaseRef, json: string): Promise<boolean> {
    return this.state.progress(lease.id, lease.token, json, this.scope.clock.now());
  }

  /** See QueueStore.get (due delayed tasks are made waiting first, as a lease step would); finished ids and cancellations within this handle's retainFinishedMs. */
  async get(id: string): Promise<TaskInfo<unknown> | undefined> {
    const now = this.scope.clock.now();
    // A due delayed task is waiting, as stats counts it.
    this.state.serve(now);
    this.pruneDead(now);
    const entry = this.state.entry(id, now, this.options.retainFinishedMs);
    return entry === undefined ? undefined : toTaskInfo(id, entry);
  }

  /** See QueueStore.list. Due delayed tasks are made waiting first, as a lease step would. */
  async list(state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
    const now = this.scope.clock.now();
    this.state.serve(now);
    this.pruneDead(now);
    return pageOf(state, this.state.inState(state, now, this.options.retainFinishedMs), limit, after);
  }

  /** See QueueStore.setPaused. */
  async setPaused(paused: boolean): Promise<void> {
    this.state.setPaused(paused, this.scope.clock.now());
  }

  /** See QueueStore.isPaused. */
  async isPaused(): Promise<boolean> {
    return this.state.isPaused;
  }

  /** See QueueStore.retryDead. */
  async retryDead(ids: readonly string[] | undefined, max: number): Promise<number> {
    return this.state.retryDead(ids, max, this.scope.clock.now());
  }

  /** See QueueStore.remove. */
  async remove(id: string): Promise<RemoveResult> {
    return this.state.remove(id, this.scope.clock.now(), this.options.retainFinishedMs);
  }

  /** See QueueStore.purge. */
  async purge(state: PurgeableState, max: number): Promise<number> {
    return this.state.purge(state, max, this.scope.clock.now(), this.options.retainFinishedMs);
  }

  /**
   * See QueueStore.watch. Events of every backend on the store reach the listener; it is ready at
   * once and never disconnected, so it never gets `reconnected`. Closing the backend ends it.
   */
  watch(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription {
    const queue = this.name;
    let untrack: () => void = () => undefined;
    const unsubscribe = this.state.watchers.add({ types, deliver: (event) => listener(toQueueEvent(queue, event)) });
    const close = (): void => {
      unsubscribe();
      untrack();
    };
    untrack = this.scope.onClose(close);
    return { ready: Promise.resolve(), close };
  }

  /** Applies this handle's retainDead, one bounded batch (see QueueStoreSupport.retainDead). */
  private pruneDead(now: number): void {
    const { count, ageMs } = this.options.retainDead;
    this.state.pruneDead(now, count, ageMs, PURGE_BATCH);
  }

  /**
   * Blocks until tasks are handed over, clock time `deadline` passes ([]), the backend closes
   * ([]) or `signal` aborts ([]). One timer at a time, in the backend's shared set: at the deadline,
   * when the next delayed task falls due, or when the limits holding this handle back may lift.
   */
  private wait(max: number, now: number, deadline: number, signal: AbortSignal | undefined, holder: string | undefined): Promise<Lease<unknown>[]> {
    const limits = this.options.limits;
    return new Promise((resolve) => {
      let done = false;
      let timer: SharedTimer | undefined;
      let untrack: () => void = () => undefined;
      const finish = (records: readonly LeaseRecord[]): void => {
        if (done) return;
        done = true;
        timer?.cancel();
        untrack();
        signal?.removeEventListener('abort', onAbort);
        this.state.waiters.delete(waiter);
        resolve(records.map(toLease));
      };
      const onAbort = (): void => finish([]);
      const arm = (at: number): void => {
        if (done || timer?.at === at) return;
        timer?.cancel();
        timer = this.scope.timers.at(at, onTimer);
      };
      const onTimer = (): void => {
        timer = undefined;
        const at = this.scope.clock.now();
        this.state.serve(at);
        if (done) return;
        if (at >= deadline) finish([]);
        else arm(Math.min(deadline, this.state.nextDue() ?? deadline, this.state.limitsLiftAt(at, limits) ?? deadline));
      };
      const waiter: DequeueWaiter = {
        max,
        visibilityTimeoutMs: this.options.visibilityTimeoutMs,
        holder,
        limits,
        deliver: finish,
        reschedule: (nextDue, liftAt) => arm(Math.min(deadline, nextDue ?? deadline, liftAt ?? deadline)),
      };
      this.state.waiters.add(waiter);
      untrack = this.scope.onClose(() => finish([]));
      signal?.addEventListener('abort', onAbort, { once: true });
      arm(Math.min(deadline, this.state.nextDue() ?? deadline, this.state.limitsLiftAt(now, limits) ?? deadline));
    });
  }
}

// The records are live views of the state (see LeaseRecord): copied here, in the same step.
function toLease(record: LeaseRecord): Lease<unknown> {
  const lease: Lease<unknown> = {
    id: record.id,
    payload: JSON.parse(record.json),
    attempt: record.attempt,
    enqueuedAt: record.enqueuedAt,
    priority: record.priority,
    token: record.token,
    deadline: record.deadline,
  };
  if (record.lastError !== undefined) lease.lastError = record.lastError;
  // Each lease gets its own copy: a handler may change what it was given.
  if (record.headers !== undefined) lease.headers = { ...record.headers };
  return lease;
}

function toDeadTask(record: DeadRecord): Task<unknown> {
  const task: Task<unknown> = {
    id: record.id,
    payload: JSON.parse(record.json),
    attempt: record.attempt,
    enqueuedAt: record.enqueuedAt,
    priority: record.priority,
    lastError: record.lastError,
  };
  if (record.headers !== undefined) task.headers = { ...record.headers };
  return task;
}

function parse(json: string | undefined): unknown {
  return json === undefined ? undefined : JSON.parse(json);
}

function queuedIds(results: EnqueueResult[]): string[] {
  const ids: string[] = [];
  for (const result of results) if (result.status === 'queued') ids.push(result.id);
  return ids;
}

/** The public form of a state event for one listener: its own parsed copies of JSON values. */
function toQueueEvent(queue: string, event: StateEvent): QueueEvent {
  switch (event.type) {
    case 'enqueued':
    case 'active':
      return { type: event.type, queue, at: event.at, ids: [...event.ids] };
    case 'completed': {
      const completed: QueueEvent = { type: 'completed', queue, at: event.at, id: event.id };
      if (event.result !== undefined) completed.result = JSON.parse(event.result);
      return completed;
    }
    case 'failed':
      return { type: 'failed', queue, at: event.at, id: event.id, attempt: event.attempt, error: event.error, willRetry: event.willRetry };
    case 'dead':
      return { type: 'dead', queue, at: event.at, id: event.id, attempt: event.attempt, error: event.error };
    case 'cancelled': {
      const cancelled: QueueEvent = { type: 'cancelled', queue, at: event.at, id: event.id, from: event.from };
      if (event.reason !== undefined) cancelled.reason = event.reason;
      return cancelled;
    }
    case 'progress':
      return { type: 'progress', queue, at: event.at, id: event.id, progress: JSON.parse(event.progress) };
  }
}
