import type { CancelResult, EnqueueResult, QueueStats } from '@baton/core';
import type { FailDecision, PreparedTask, ResolvedLimits } from '@baton/core/adapter';
import { CompletionLog, type FinishedMark } from './completion-log.js';
import { Deque } from './deque.js';
import { LeaseLimiter } from './lease-limits.js';
import { newLeaseToken } from './lease-tokens.js';
import { QueueWatchers } from './queue-watchers.js';
import { ReadyOrder } from './ready-order.js';
import { seededBugs } from './seeded-bugs.js';
import { newRecord, type TaskRecord } from './task-record.js';
import { TimeHeap } from './time-heap.js';

/**
 * One delivery of a task, with its payload still as JSON (each handle parses its own copy).
 * `take` hands out live views of the stored records (no copy per task): read them before the
 * state changes again.
 */
export type LeaseRecord = Readonly<TaskRecord>;

/** A dead-lettered task, with the reason it died (`lastError`). Live view: read it at once. */
export type DeadRecord = Readonly<TaskRecord> & { readonly lastError: string };

/** How a task ended, with results still as JSON text; see QueueStore.outcome. */
export type StateOutcome =
  { state: 'finished'; result: string | undefined } | { state: 'dead'; error: string } | { state: 'cancelled'; reason: string | undefined };

/** A blocked dequeue of some backend sharing this state. */
export interface DequeueWaiter {
  readonly max: number;
  readonly visibilityTimeoutMs: number;
  /** Who takes the leases (see LeaseWait.holder). */
  readonly holder: string | undefined;
  /** The limits of the waiter's handle (see QueueOptions.limits); undefined: none. */
  readonly limits: ResolvedLimits | undefined;
  /** Hands the waiter its leases; the state has already removed it from `waiters`. */
  deliver(records: readonly LeaseRecord[]): void;
  /**
   * The earliest delayed task is now due at `nextDue` (clock ms; undefined: none), and the limits
   * holding the waiter back may lift at `limitsLiftAt` (undefined: none hold it): wake up then.
   */
  reschedule(nextDue: number | undefined, limitsLiftAt: number | undefined): void;
}

const STALLED = (attempt: number): string => `stalled: the lease of attempt ${attempt} expired before the task was completed`;

/**
 * The whole state of one named queue, shared by every handle and backend on one MemoryStore.
 * Each method is one synchronous step, so it is atomic with respect to every other caller.
 *
 * Every id the queue knows maps to one entry of `tasks`: a TaskRecord while it is waiting,
 * delayed, active, dead or cancelled (a cancellation is retained like a completion), a
 * FinishedMark while its completion is retained. A completed id stays
 * mapped until its retention runs out, so an enqueue looks its id up once and a completion moves
 * no entry between maps; `completions` lists them in completion order for pruning. Every reader
 * of `tasks` checks the state it expects.
 */
export class QueueState {
  /** Blocked dequeues in order of arrival (Set iteration follows insertion). */
  readonly waiters = new Set<DequeueWaiter>();
  /** Watchers of this queue's events, from every backend on the store. */
  readonly watchers = new QueueWatchers();
  protected readonly tasks = new Map<string, TaskRecord | FinishedMark>();
  protected readonly ready = new ReadyOrder<TaskRecord>();
  protected readonly delayed = new TimeHeap<TaskRecord>();
  /** Live entries of `delayed` (records still in the delayed state). */
  protected delayedCount = 0;
  private readonly active = new Set<TaskRecord>();
  /** Dead records in the order they died; an entry whose id maps to another record (or none) is stale. */
  protected readonly deadLog = new Deque<TaskRecord>();
  protected deadCount = 0;
  protected readonly completions = new CompletionLog();
  /** Cancelled records in the order they were cancelled, for pruning. */
  protected readonly cancellations = new CompletionLog<TaskRecord>();
  protected cancelledCount = 0;
  private lastMark: FinishedMark = { state: 'finished', finishedAt: Number.NaN, result: undefined };
  /** The rate window and live-lease count behind QueueOptions.limits. */
  private readonly limiter = new LeaseLimiter();
  /** Set by pause: lease steps take nothing. */
  protected paused = false;
  /** True once the queue was enqueued to or leased from (see Backend.queues). */
  known = false;

  /**
   * Stores one task unless its id is waiting, delayed, active ('duplicate') or retained as
   * finished ('finished'). An id in the dead letters is queued afresh, its dead letter dropped.
   */
  add(task: PreparedTask, now: number, retainMs: number): EnqueueResult['status'] {
    this.pruneFinished(now, retainMs);
    const existing = this.tasks.get(task.id);
    if (existing !== undefined) {
      if (existing.state === 'finished') {
        if (existing.finishedAt + retainMs > now) return 'finished';
      } else if (existing.state === 'dead') {
        this.deadCount--;
      } else if (existing.state === 'cancelled') {
        this.pruneCancelled(now, retainMs);
        if (this.tasks.get(task.id) === existing) {
          if (existing.finishedAt + retainMs > now) return 'cancelled';
          this.cancelledCount--;
        }
      } else return 'duplicate';
    }
    const record = newRecord(task.id, task.json, now, task.priority, task.headers);
    this.tasks.set(task.id, record);
    if (task.delayMs > 0) this.delay(record, now + task.delayMs);
    else this.ready.pushBack(record);
    return 'queued';
  }

  /** Emits `enqueued` for one add call's queued ids (none: nothing). */
  added(ids: string[], now: number): void {
    if (ids.length > 0) this.watchers.emit({ type: 'enqueued', at: now, ids });
  }

  /** True when `id` completed less than `retainMs` ago; forgets it (and older ids) otherwise. */
  isFinished(id: string, now: number, retainMs: number): boolean {
    return this.finishedMark(id, now, retainMs) !== undefined;
  }

  /** How `id` ended, if it is retained as finished or is in the dead letters. */
  outcome(id: string, now: number, retainMs: number): StateOutcome | undefined {
    const mark = this.finishedMark(id, now, retainMs);
    if (mark !== undefined) return { state: 'finished', result: mark.result };
    const record = this.tasks.get(id);
    if (record?.state === 'dead') return { state: 'dead', error: record.lastError ?? '' };
    if (record?.state === 'cancelled' && this.cancelledWithin(record, now, retainMs)) return { state: 'cancelled', reason: record.cancelReason };
    return undefined;
  }

  /** Cancels `id` (see QueueStore.cancel); the cancellation is kept for `retainMs`. */
  cancel(id: string, reason: string | undefined, now: number, retainMs: number): CancelResult {
    if (this.finishedMark(id, now, retainMs) !== undefined) return 'finished';
    const record = this.tasks.get(id);
    if (record === undefined || record.state === 'finished' || record.state === 'removed') return 'not-found';
    if (record.state === 'dead') return 'dead';
    if (record.state === 'cancelled') return this.cancelledWithin(record, now, retainMs) ? 'already-cancelled' : 'not-found';
    const from = record.state;
    if (from === 'waiting') this.ready.forget();
    else if (from === 'delayed') this.delayedCount--;
    else this.active.delete(record);
    record.state = 'cancelled';
    record.token = '';
    record.finishedAt = now;
    record.cancelReason = reason;
    this.cancellations.push(id, record);
    this.cancelledCount++;
    if (this.watchers.wants('cancelled')) this.watchers.emit({ type: 'cancelled', at: now, id, from, reason });
    return 'cancelled';
  }

  /** Moves delayed tasks that are due at `now` to the back of their priority's ready order, in due order. */
  promote(now: number): void {
    for (let due = this.delayed.peekTime(); due !== undefined && due <= now; due = this.delayed.peekTime()) {
      const record = this.delayed.pop()!;
      if (record.state !== 'delayed') continue;
      this.delayedCount--;
      record.state = 'waiting';
      this.ready.pushBack(record);
    }
  }

  /** Clock time (ms) at which the earliest delayed task falls due; undefined when none is delayed. */
  nextDue(): number | undefined {
    return this.delayed.peekTime();
  }

  /** Number of tasks ready to be leased. */
  get readyCount(): number {
    return this.ready.size;
  }

  /**
   * Leases up to `max` ready tasks in ready order (fewer when `limits` hold it back), each with a
   * fresh token and deadline now + `visibilityTimeoutMs`. The records are live views (see
   * LeaseRecord): copy them at once.
   */
  take(max: number, now: number, visibilityTimeoutMs: number, holder: string | undefined, limits?: ResolvedLimits): readonly LeaseRecord[] {
    const out: TaskRecord[] = [];
    if (this.paused) return out;
    if (limits !== undefined) max = this.limiter.allowance(max, now, limits, this.active);
    while (out.length < max) {
      const record = this.ready.shift();
      if (record === undefined) break;
      record.state = 'active';
      record.attempt++;
      record.token = newLeaseToken();
      record.deadline = now + visibilityTimeoutMs;
      record.holder = holder;
      this.active.add(record);
      out.push(record);
    }
    if (limits !== undefined) this.limiter.record(out.length, now, limits);
    if (out.length > 0 && this.watchers.wants('active')) this.watchers.emit({ type: 'active', at: now, ids: out.map((r) => r.id) });
    return out;
  }

  /**
   * Promotes due delayed tasks, then hands ready tasks to blocked dequeues in order of arrival
   * (as far as their limits allow), and tells the rest when the next delayed task falls due and
   * when the limits holding them back may lift.
   */
  serve(now: number): void {
    this.promote(now);
    for (const waiter of this.waiters) {
      if (this.ready.size === 0) break;
      const records = this.take(waiter.max, now, waiter.visibilityTimeoutMs, waiter.holder, waiter.limits);
      if (records.length === 0) break;
      this.waiters.delete(waiter);
      waiter.deliver(records);
    }
    const nextDue = this.nextDue();
    for (const waiter of this.waiters) waiter.reschedule(nextDue, this.limitsLiftAt(now, waiter.limits));
  }

  /**
   * When `limits` that hold leasing back at `now` may lift by the clock alone (clock ms: the rate
   * window's end, the earliest live lease deadline), while tasks are ready; undefined otherwise.
   */
  limitsLiftAt(now: number, limits: ResolvedLimits | undefined): number | undefined {
    if (limits === undefined || this.ready.size === 0) return undefined;
    return this.limiter.wakeAt(now, limits, this.active);
  }

  /** After a step that may have freed a concurrency slot: serves the blocked dequeues a limit held back. */
  slotFreed(now: number): void {
    if (this.waiters.size > 0 && this.ready.size > 0) this.serve(now);
  }

  /** Finishes the task if `token` still holds it; records the completion time and the result (JSON), if any. */
  complete(id: string, token: string, now: number, retainMs: number, result: string | undefined): boolean {
    const record = seededBugs.completeWithoutTokenCheck ? this.activeRecord(id) : this.held(id, token);
    if (record === undefined) return false;
    let mark: FinishedMark;
    if (result !== undefined) mark = { state: 'finished', finishedAt: now, result };
    else {
      mark = this.lastMark;
      if (mark.finishedAt !== now) this.lastMark = mark = { state: 'finished', finishedAt: now, result: undefined };
    }
    this.tasks.set(id, mark);
    this.active.delete(record);
    this.completions.push(id, mark);
    this.pruneFinished(now, retainMs);
    if (this.watchers.wants('completed')) this.watchers.emit({ type: 'completed', at: now, id, result });
    return true;
  }

  /** Retries (delayed by decision.retryInMs) or dead-letters the task if `token` still holds it. */
  fail(id: string, token: string, decision: FailDecision, now: number): boolean {
    const record = this.held(id, token);
    if (record === undefined) return false;
    this.active.delete(record);
    record.lastError = decision.message;
    if (decision.dead) this.kill(record, now);
    else this.delay(record, now + decision.retryInMs);
    this.failed(record, now, !decision.dead);
    return true;
  }

  /** Moves the lease's deadline to now + `ms` if `token` still holds the task. */
  extend(id: string, token: string, ms: number, now: number): boolean {
    const record = this.held(id, token);
    if (record === undefined) return false;
    record.deadline = now + ms;
    return true;
  }

  /** Stores the task's latest progress (JSON) if `token` still holds it, and emits `progress`. */
  progress(id: string, token: string, json: string, now: number): boolean {
    const record = this.held(id, token);
    if (record === undefined) return false;
    record.progress = json;
    if (this.watchers.wants('progress')) this.watchers.emit({ type: 'progress', at: now, id, progress: json });
    return true;
  }

  /**
   * Takes back every lease whose deadline is at or before `now`: to the front of its priority's
   * ready order (earliest deadline served first), or to the dead letters when it was the last attempt.
   */
  recover(now: number, maxAttempts: number): number {
    const expired: TaskRecord[] = [];
    for (const record of this.active) if (record.deadline <= now) expired.push(record);
    expired.sort((a, b) => a.deadline - b.deadline);
    for (let i = expired.length - 1; i >= 0; i--) {
      const record = expired[i]!;
      this.active.delete(record);
      record.lastError = STALLED(record.attempt);
      const dies = record.attempt >= maxAttempts;
      if (dies) {
        this.kill(record, now);
      } else {
        record.state = 'waiting';
        record.token = '';
        this.ready.pushFront(record);
      }
      this.failed(record, now, !dies);
    }
    return expired.length;
  }

  /** Counts by state. */
  stats(): QueueStats {
    return { waiting: this.ready.size, active: this.active.size, delayed: this.delayedCount, dead: this.deadCount };
  }

  /** Dead letters, newest first, at most `limit`. Live views: read them at once. */
  deadLetters(limit: number): DeadRecord[] {
    const out: DeadRecord[] = [];
    for (let i = this.deadLog.length - 1; i >= 0 && out.length < limit; i--) {
      const record = this.deadLog.at(i)!;
      if (this.tasks.get(record.id) === record) out.push(record as DeadRecord);
    }
    return out;
  }

  /** The active record `token` still holds, or undefined. */
  // Only for seededBugs.completeWithoutTokenCheck: the active record whoever holds it.
  private activeRecord(id: string): TaskRecord | undefined {
    const record = this.tasks.get(id);
    return record !== undefined && record.state === 'active' ? record : undefined;
  }

  private held(id: string, token: string): TaskRecord | undefined {
    const record = this.tasks.get(id);
    return record !== undefined && record.state === 'active' && record.token === token ? record : undefined;
  }

  /** The finished mark of `id` if it completed less than `retainMs` ago; forgets expired ones. */
  protected finishedMark(id: string, now: number, retainMs: number): FinishedMark | undefined {
    this.pruneFinished(now, retainMs);
    const record = this.tasks.get(id);
    if (record?.state !== 'finished') return undefined;
    if (record.finishedAt + retainMs > now) return record;
    // Handles with different retainFinishedMs can leave an expired entry behind a live one.
    this.tasks.delete(id);
    return undefined;
  }

  private delay(record: TaskRecord, dueAt: number): void {
    record.state = 'delayed';
    record.token = '';
    record.dueAt = dueAt;
    this.delayed.push(dueAt, record);
    this.delayedCount++;
  }

  private kill(record: TaskRecord, now: number): void {
    record.state = 'dead';
    record.token = '';
    record.finishedAt = now;
    this.deadLog.pushBack(record);
    this.deadCount++;
  }

  /** Emits `failed` for the attempt that just failed, and `dead` when it died. */
  private failed(record: TaskRecord, now: number, willRetry: boolean): void {
    const error = record.lastError ?? '';
    if (this.watchers.wants('failed')) this.watchers.emit({ type: 'failed', at: now, id: record.id, attempt: record.attempt, error, willRetry });
    if (!willRetry && this.watchers.wants('dead')) this.watchers.emit({ type: 'dead', at: now, id: record.id, attempt: record.attempt, error });
  }

  /** True when `record` (cancelled) is within `retainMs` of its cancellation; forgets expired cancellations otherwise. */
  protected cancelledWithin(record: TaskRecord, now: number, retainMs: number): boolean {
    this.pruneCancelled(now, retainMs);
    if (this.tasks.get(record.id) !== record) return false;
    if (record.finishedAt + retainMs > now) return true;
    // Handles with different retainFinishedMs can leave an expired entry behind a live one.
    this.tasks.delete(record.id);
    this.cancelledCount--;
    return false;
  }

  /** Forgets cancellations made `retainMs` or more before `now`, oldest first. */
  protected pruneCancelled(now: number, retainMs: number): void {
    for (let record = this.cancellations.peekMark(); record !== undefined && record.finishedAt + retainMs <= now; record = this.cancellations.peekMark()) {
      const id = this.cancellations.shift()!;
      if (this.tasks.get(id) === record) {
        this.tasks.delete(id);
        this.cancelledCount--;
      }
    }
  }

  /** Forgets the ids that completed `retainMs` or more before `now`, oldest first, up to the first live one. */
  protected pruneFinished(now: number, retainMs: number): void {
    for (let mark = this.completions.peekMark(); mark !== undefined && mark.finishedAt + retainMs <= now; mark = this.completions.peekMark()) {
      const id = this.completions.shift()!;
      // The id may since have expired, run again and completed later (it has a later log entry).
      if (this.tasks.get(id) === mark) this.tasks.delete(id);
    }
  }
}
