import type { EnqueueResult, QueueStats, TaskHeaders } from '@baton/core';
import type { FailDecision, PreparedTask } from '@baton/core/adapter';
import { CompletionLog, type FinishedMark } from './completion-log.js';
import { newLeaseToken } from './lease-tokens.js';
import { ReadyOrder } from './ready-order.js';
import { TimeHeap } from './time-heap.js';

/**
 * A task as stored, in exactly one of the waiting, delayed or active states. The ready order
 * and the delayed heap hold the records themselves, so a record that left them without being
 * taken (its state changed) is recognised and skipped when reached.
 */
interface TaskRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
  priority: number;
  headers: TaskHeaders | undefined;
  lastError: string | undefined;
  state: 'waiting' | 'delayed' | 'active';
  /** The current delivery's token; '' while not leased. */
  token: string;
  /** The current lease's deadline (clock ms); meaningful while active. */
  deadline: number;
  /** Position in the ready order (see ReadyOrder); meaningful while waiting. */
  seq: number;
}

/**
 * One delivery of a task, with its payload still as JSON (each handle parses its own copy).
 * `take` hands out live views of the stored records (no copy per task): read them before the
 * state changes again.
 */
export interface LeaseRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
  priority: number;
  headers: TaskHeaders | undefined;
  lastError: string | undefined;
  token: string;
  deadline: number;
}

/** A dead-lettered task, with the reason it died. */
export interface DeadRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
  priority: number;
  headers: TaskHeaders | undefined;
  lastError: string;
}

/** A blocked dequeue of some backend sharing this state. */
export interface DequeueWaiter {
  readonly max: number;
  readonly visibilityTimeoutMs: number;
  /** Hands the waiter its leases; the state has already removed it from `waiters`. */
  deliver(records: readonly LeaseRecord[]): void;
  /** The earliest delayed task is now due at `nextDue` (clock ms; undefined: none): wake up then. */
  reschedule(nextDue: number | undefined): void;
}

/**
 * The whole state of one named queue, shared by every handle and backend on one MemoryStore.
 * Each method is one synchronous step, so it is atomic with respect to every other caller.
 *
 * A completed id stays in `tasks`, mapped to a FinishedMark, until its retention runs out, so an
 * enqueue looks its id up once and a completion moves no entry between maps; `completions` lists
 * them in completion order for pruning. Every reader of `tasks` checks the state it expects.
 */
export class QueueState {
  /** Blocked dequeues in order of arrival (Set iteration follows insertion). */
  readonly waiters = new Set<DequeueWaiter>();
  private readonly tasks = new Map<string, TaskRecord | FinishedMark>();
  private readonly ready = new ReadyOrder<TaskRecord>();
  private readonly delayed = new TimeHeap<TaskRecord>();
  /** Live entries of `delayed` (records still in the delayed state). */
  private delayedCount = 0;
  private readonly active = new Set<TaskRecord>();
  private readonly dead: DeadRecord[] = [];
  private readonly completions = new CompletionLog();
  private lastMark: FinishedMark = { state: 'finished', finishedAt: Number.NaN };

  /** Stores one task unless its id is waiting, delayed, active ('duplicate') or retained as finished ('finished'). */
  add(task: PreparedTask, now: number, retainMs: number): EnqueueResult['status'] {
    this.pruneFinished(now, retainMs);
    const existing = this.tasks.get(task.id);
    if (existing !== undefined) {
      if (existing.state !== 'finished') return 'duplicate';
      if (existing.finishedAt + retainMs > now) return 'finished';
    }
    const record: TaskRecord = {
      id: task.id,
      json: task.json,
      attempt: 0,
      enqueuedAt: now,
      priority: task.priority,
      headers: task.headers,
      lastError: undefined,
      state: 'waiting',
      token: '',
      deadline: 0,
      seq: 0,
    };
    this.tasks.set(task.id, record);
    if (task.delayMs > 0) this.delay(record, now + task.delayMs);
    else this.ready.pushBack(record);
    return 'queued';
  }

  /** True when `id` completed less than `retainMs` ago; forgets it (and older ids) otherwise. */
  isFinished(id: string, now: number, retainMs: number): boolean {
    this.pruneFinished(now, retainMs);
    const record = this.tasks.get(id);
    if (record?.state !== 'finished') return false;
    if (record.finishedAt + retainMs > now) return true;
    // Handles with different retainFinishedMs can leave an expired entry behind a live one.
    this.tasks.delete(id);
    return false;
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
   * Leases up to `max` ready tasks in ready order, each with a fresh token and deadline now +
   * `visibilityTimeoutMs`. The records are live views (see LeaseRecord): copy them at once.
   */
  take(max: number, now: number, visibilityTimeoutMs: number): readonly LeaseRecord[] {
    const out: TaskRecord[] = [];
    while (out.length < max) {
      const record = this.ready.shift();
      if (record === undefined) break;
      record.state = 'active';
      record.attempt++;
      record.token = newLeaseToken();
      record.deadline = now + visibilityTimeoutMs;
      this.active.add(record);
      out.push(record);
    }
    return out;
  }

  /**
   * Promotes due delayed tasks, then hands ready tasks to blocked dequeues in order of arrival,
   * and tells the rest when the next delayed task falls due.
   */
  serve(now: number): void {
    this.promote(now);
    for (const waiter of this.waiters) {
      if (this.ready.size === 0) break;
      const records = this.take(waiter.max, now, waiter.visibilityTimeoutMs);
      if (records.length === 0) break;
      this.waiters.delete(waiter);
      waiter.deliver(records);
    }
    const nextDue = this.nextDue();
    for (const waiter of this.waiters) waiter.reschedule(nextDue);
  }

  /** Finishes the task if `token` still holds it; records the completion time. */
  complete(id: string, token: string, now: number, retainMs: number): boolean {
    const record = this.tasks.get(id);
    if (record === undefined || record.state !== 'active' || record.token !== token) return false;
    let mark = this.lastMark;
    if (mark.finishedAt !== now) this.lastMark = mark = { state: 'finished', finishedAt: now };
    this.tasks.set(id, mark);
    this.active.delete(record);
    this.completions.push(id, mark);
    this.pruneFinished(now, retainMs);
    return true;
  }

  /** Retries (delayed by decision.retryInMs) or dead-letters the task if `token` still holds it. */
  fail(id: string, token: string, decision: FailDecision, now: number): boolean {
    const record = this.held(id, token);
    if (record === undefined) return false;
    this.active.delete(record);
    record.lastError = decision.message;
    if (decision.dead) this.kill(record, decision.message);
    else this.delay(record, now + decision.retryInMs);
    return true;
  }

  /** Moves the lease's deadline to now + `ms` if `token` still holds the task. */
  extend(id: string, token: string, ms: number, now: number): boolean {
    const record = this.held(id, token);
    if (record === undefined) return false;
    record.deadline = now + ms;
    return true;
  }

  /**
   * Takes back every lease whose deadline is at or before `now`: to the front of the ready list
   * (earliest deadline served first), or to the dead letters when it was the last attempt.
   */
  recover(now: number, maxAttempts: number): number {
    const expired: TaskRecord[] = [];
    for (const record of this.active) if (record.deadline <= now) expired.push(record);
    expired.sort((a, b) => a.deadline - b.deadline);
    for (let i = expired.length - 1; i >= 0; i--) {
      const record = expired[i]!;
      this.active.delete(record);
      const reason = `stalled: the lease of attempt ${record.attempt} expired before the task was completed`;
      record.lastError = reason;
      if (record.attempt >= maxAttempts) {
        this.kill(record, reason);
      } else {
        record.state = 'waiting';
        record.token = '';
        this.ready.pushFront(record);
      }
    }
    return expired.length;
  }

  /** Counts by state. */
  stats(): QueueStats {
    return { waiting: this.ready.size, active: this.active.size, delayed: this.delayedCount, dead: this.dead.length };
  }

  /** Dead letters, newest first, at most `limit`. */
  deadLetters(limit: number): DeadRecord[] {
    const out: DeadRecord[] = [];
    for (let i = this.dead.length - 1; i >= 0 && out.length < limit; i--) out.push(this.dead[i]!);
    return out;
  }

  /** The active record `token` still holds, or undefined. */
  private held(id: string, token: string): TaskRecord | undefined {
    const record = this.tasks.get(id);
    return record !== undefined && record.state === 'active' && record.token === token ? record : undefined;
  }

  private delay(record: TaskRecord, dueAt: number): void {
    record.state = 'delayed';
    record.token = '';
    this.delayed.push(dueAt, record);
    this.delayedCount++;
  }

  private kill(record: TaskRecord, reason: string): void {
    this.tasks.delete(record.id);
    this.dead.push({
      id: record.id,
      json: record.json,
      attempt: record.attempt,
      enqueuedAt: record.enqueuedAt,
      priority: record.priority,
      headers: record.headers,
      lastError: reason,
    });
  }

  /** Forgets the ids that completed `retainMs` or more before `now`, oldest first, up to the first live one. */
  private pruneFinished(now: number, retainMs: number): void {
    for (let mark = this.completions.peekMark(); mark !== undefined && mark.finishedAt + retainMs <= now; mark = this.completions.peekMark()) {
      const id = this.completions.shift()!;
      // The id may since have expired, run again and completed later (it has a later log entry).
      if (this.tasks.get(id) === mark) this.tasks.delete(id);
    }
  }
}
