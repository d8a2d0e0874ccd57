import type { EnqueueResult, FailDecision, PreparedTask, QueueStats } from '@baton/core';
import { Deque } from './deque.js';
import { FinishedIds } from './finished-ids.js';
import { newLeaseToken } from './lease-tokens.js';
import { TimeHeap } from './time-heap.js';

/** A task as stored, in exactly one of the waiting, delayed or active states. */
interface TaskRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
  lastError?: string;
  state: 'waiting' | 'delayed' | 'active';
  /** The current delivery's token; '' while not leased. */
  token: string;
  /** The current lease's deadline (clock ms); meaningful while active. */
  deadline: number;
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
  lastError?: string;
  token: string;
  deadline: number;
}

/** A dead-lettered task, with the reason it died. */
export interface DeadRecord {
  id: string;
  json: string;
  attempt: number;
  enqueuedAt: number;
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
 * Invariant: an id is never stored as a task and retained as finished at once (`complete` drops
 * the task as it records the id; `add` refuses a retained id and forgets an expired one), so the
 * ready list can never hand out a finished id and `take` needs no check of its own.
 */
export class QueueState {
  /** Blocked dequeues in order of arrival (Set iteration follows insertion). */
  readonly waiters = new Set<DequeueWaiter>();
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly ready = new Deque<string>();
  private readonly delayed = new TimeHeap<string>();
  private readonly active = new Set<string>();
  private readonly dead: DeadRecord[] = [];
  private readonly finished = new FinishedIds();

  /** Stores one task unless its id is waiting, delayed, active ('duplicate') or retained as finished ('finished'). */
  add(task: PreparedTask, now: number, retainMs: number): EnqueueResult['status'] {
    if (this.tasks.has(task.id)) return 'duplicate';
    if (this.isFinished(task.id, now, retainMs)) return 'finished';
    const delayed = task.delayMs > 0;
    this.tasks.set(task.id, {
      id: task.id,
      json: task.json,
      attempt: 0,
      enqueuedAt: now,
      state: delayed ? 'delayed' : 'waiting',
      token: '',
      deadline: 0,
    });
    if (delayed) this.delayed.push(now + task.delayMs, task.id);
    else this.ready.pushBack(task.id);
    return 'queued';
  }

  /** True when `id` completed less than `retainMs` ago; forgets it (and older ids) otherwise. */
  isFinished(id: string, now: number, retainMs: number): boolean {
    return this.finished.has(id, now, retainMs);
  }

  /** Moves delayed tasks that are due at `now` to the back of the ready list, in due order. */
  promote(now: number): void {
    for (let due = this.delayed.peekTime(); due !== undefined && due <= now; due = this.delayed.peekTime()) {
      const record = this.tasks.get(this.delayed.pop()!);
      if (record?.state !== 'delayed') continue;
      record.state = 'waiting';
      this.ready.pushBack(record.id);
    }
  }

  /** Clock time (ms) at which the earliest delayed task falls due; undefined when none is delayed. */
  nextDue(): number | undefined {
    return this.delayed.peekTime();
  }

  /** Number of tasks ready to be leased. */
  get readyCount(): number {
    return this.ready.length;
  }

  /**
   * Leases up to `max` ready tasks, oldest first, each with a fresh token and deadline now +
   * `visibilityTimeoutMs`. The records are live views (see LeaseRecord): copy them at once.
   */
  take(max: number, now: number, visibilityTimeoutMs: number): readonly LeaseRecord[] {
    const out: TaskRecord[] = [];
    while (out.length < max) {
      const id = this.ready.shift();
      if (id === undefined) break;
      const record = this.tasks.get(id);
      if (record?.state !== 'waiting') continue;
      record.state = 'active';
      record.attempt++;
      record.token = newLeaseToken();
      record.deadline = now + visibilityTimeoutMs;
      this.active.add(id);
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
      if (this.ready.length === 0) break;
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
    if (!this.holds(id, token)) return false;
    this.tasks.delete(id);
    this.active.delete(id);
    this.finished.record(id, now);
    this.finished.prune(now, retainMs);
    return true;
  }

  /** Retries (delayed by decision.retryInMs) or dead-letters the task if `token` still holds it. */
  fail(id: string, token: string, decision: FailDecision, now: number): boolean {
    if (!this.holds(id, token)) return false;
    const record = this.tasks.get(id)!;
    this.active.delete(id);
    record.lastError = decision.message;
    if (decision.dead) this.kill(record, decision.message);
    else this.delay(record, now + decision.retryInMs);
    return true;
  }

  /** Moves the lease's deadline to now + `ms` if `token` still holds the task. */
  extend(id: string, token: string, ms: number, now: number): boolean {
    if (!this.holds(id, token)) return false;
    this.tasks.get(id)!.deadline = now + ms;
    return true;
  }

  /**
   * Takes back every lease whose deadline is at or before `now`: to the front of the ready list
   * (earliest deadline served first), or to the dead letters when it was the last attempt.
   */
  recover(now: number, maxAttempts: number): number {
    const expired: TaskRecord[] = [];
    for (const id of this.active) {
      const record = this.tasks.get(id)!;
      if (record.deadline <= now) expired.push(record);
    }
    expired.sort((a, b) => a.deadline - b.deadline);
    for (let i = expired.length - 1; i >= 0; i--) {
      const record = expired[i]!;
      this.active.delete(record.id);
      const reason = `stalled: the lease of attempt ${record.attempt} expired before the task was completed`;
      record.lastError = reason;
      if (record.attempt >= maxAttempts) {
        this.kill(record, reason);
      } else {
        record.state = 'waiting';
        record.token = '';
        this.ready.pushFront(record.id);
      }
    }
    return expired.length;
  }

  /** Counts by state. */
  stats(): QueueStats {
    return { waiting: this.ready.length, active: this.active.size, delayed: this.delayed.size, dead: this.dead.length };
  }

  /** Dead letters, newest first, at most `limit`. */
  deadLetters(limit: number): DeadRecord[] {
    const out: DeadRecord[] = [];
    for (let i = this.dead.length - 1; i >= 0 && out.length < limit; i--) out.push(this.dead[i]!);
    return out;
  }

  private holds(id: string, token: string): boolean {
    const record = this.tasks.get(id);
    return record !== undefined && record.state === 'active' && record.token === token;
  }

  private delay(record: TaskRecord, dueAt: number): void {
    record.state = 'delayed';
    record.token = '';
    this.delayed.push(dueAt, record.id);
  }

  private kill(record: TaskRecord, reason: string): void {
    this.tasks.delete(record.id);
    this.dead.push({ id: record.id, json: record.json, attempt: record.attempt, enqueuedAt: record.enqueuedAt, lastError: reason });
  }
}
