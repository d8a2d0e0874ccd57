import type { PurgeableState, RemoveResult, TaskState } from '@baton/core';
import type { FinishedMark } from './completion-log.js';
import { QueueState } from './queue-state.js';
import type { TaskRecord } from './task-record.js';

/**
 * A QueueState with the inspection and admin steps (see QueueStore.get, list, setPaused,
 * retryDead, remove, purge). Each method is one synchronous step, like those of QueueState.
 */
export class QueueAdminState extends QueueState {
  /** What `id` maps to now, if anything: its record, or its finished mark within `retainMs`. A cancellation past `retainMs` is forgotten. */
  entry(id: string, now: number, retainMs: number): TaskRecord | FinishedMark | undefined {
    const mark = this.finishedMark(id, now, retainMs);
    if (mark !== undefined) return mark;
    const record = this.tasks.get(id);
    if (record === undefined || record.state === 'finished') return undefined;
    if (record.state === 'cancelled' && !this.cancelledWithin(record, now, retainMs)) return undefined;
    return record;
  }

  /** Every id in `state` with its record or mark, in no order (finished and cancelled ids within `retainMs`). */
  *inState(state: TaskState, now: number, retainMs: number): IterableIterator<[string, TaskRecord | FinishedMark]> {
    this.pruneFinished(now, retainMs);
    this.pruneCancelled(now, retainMs);
    for (const [id, entry] of this.tasks) {
      if (entry.state !== state) continue;
      if ((state === 'finished' || state === 'cancelled') && entry.finishedAt + retainMs <= now) continue;
      yield [id, entry];
    }
  }

  /** Sets or clears the paused flag; clearing it serves blocked dequeues at once. */
  setPaused(paused: boolean, now: number): void {
    this.paused = paused;
    if (!paused) this.serve(now);
  }

  /** True while paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Moves up to `max` dead letters (those of `ids`, or the oldest) to the back of their priority's
   * ready order as fresh records (attempt 0), so the dead-letter log's old entry goes stale.
   */
  retryDead(ids: readonly string[] | undefined, max: number, now: number): number {
    let moved = 0;
    const revive = (record: TaskRecord): void => {
      const fresh: TaskRecord = { ...record, attempt: 0, state: 'waiting', token: '', finishedAt: 0 };
      record.state = 'removed';
      this.deadCount--;
      this.tasks.set(fresh.id, fresh);
      this.ready.pushBack(fresh);
      moved++;
    };
    if (ids !== undefined) {
      for (const id of ids) {
        const record = this.tasks.get(id);
        if (moved < max && record?.state === 'dead') revive(record);
      }
    } else {
      while (moved < max) {
        const record = this.deadLog.shift();
        if (record === undefined) break;
        if (this.tasks.get(record.id) === record && record.state === 'dead') revive(record);
      }
    }
    if (moved > 0) this.serve(now);
    return moved;
  }

  /** Forgets `id` in any state but active (see QueueStore.remove). */
  remove(id: string, now: number, retainMs: number): RemoveResult {
    const entry = this.entry(id, now, retainMs);
    if (entry === undefined) return 'not-found';
    if (entry.state === 'active') return 'active';
    this.tasks.delete(id);
    if (entry.state !== 'finished') this.drop(entry);
    return 'removed';
  }

  /** Removes up to `max` tasks in `state`, taking them from the front of that state's own order. */
  purge(state: PurgeableState, max: number, now: number, retainMs: number): number {
    this.pruneFinished(now, retainMs);
    this.pruneCancelled(now, retainMs);
    let removed = 0;
    if (state === 'finished') {
      while (removed < max) {
        const mark = this.completions.peekMark();
        const id = this.completions.shift();
        if (id === undefined) break;
        // An id that ran again since has a later entry; this one is stale.
        if (this.tasks.get(id) !== mark) continue;
        this.tasks.delete(id);
        removed++;
      }
      return removed;
    }
    // Each source gives the state's records oldest first, stale entries included (skipped below).
    const next = {
      waiting: () => this.ready.shift(),
      delayed: () => this.delayed.pop(),
      dead: () => this.deadLog.shift(),
      cancelled: () => {
        const record = this.cancellations.peekMark();
        this.cancellations.shift();
        return record;
      },
    }[state];
    while (removed < max) {
      const record = next();
      if (record === undefined) break;
      if (this.tasks.get(record.id) !== record || record.state !== state) continue;
      this.tasks.delete(record.id);
      // The ready order already counted the shifted record out.
      if (state === 'waiting') record.state = 'removed';
      else this.drop(record);
      removed++;
    }
    return removed;
  }

  /** Dead letters dropped by `pruneDead` over the queue's life. */
  deadDropped = 0;

  /**
   * Drops the oldest dead letters while more than `count` are kept or the oldest died `ageMs` or
   * more before `now`, at most `batch` per call (the dead-letter log is in death order).
   */
  pruneDead(now: number, count: number, ageMs: number, batch: number): void {
    let dropped = 0;
    while (dropped < batch && this.deadCount > 0) {
      const record = this.deadLog.peek()!;
      const live = this.tasks.get(record.id) === record && record.state === 'dead';
      if (live && this.deadCount <= count && record.finishedAt + ageMs > now) return;
      this.deadLog.shift();
      if (!live) continue;
      this.tasks.delete(record.id);
      this.drop(record);
      this.deadDropped++;
      dropped++;
    }
  }

  /** Takes a record that is no longer mapped out of its state's counts. */
  private drop(record: TaskRecord): void {
    if (record.state === 'waiting') this.ready.forget();
    else if (record.state === 'delayed') this.delayedCount--;
    else if (record.state === 'dead') this.deadCount--;
    else if (record.state === 'cancelled') this.cancelledCount--;
    record.state = 'removed';
  }
}
