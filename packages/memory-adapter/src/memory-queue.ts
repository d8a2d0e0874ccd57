import {
  BaseQueue,
  type EnqueueResult,
  type FailDecision,
  type Lease,
  type PreparedTask,
  type QueueStats,
  type ResolvedQueueOptions,
  type Task,
} from '@baton/core';
import type { BackendScope } from './backend-scope.js';
import { timerAt, type ClockTimer } from './clock-timer.js';
import type { DeadRecord, DequeueWaiter, LeaseRecord, QueueState } from './queue-state.js';

/**
 * A queue held in a MemoryStore. Every step runs synchronously on the shared state, so it is
 * atomic with respect to all handles and backends on that store. Blocking dequeues wait without
 * polling: an enqueue, a recovery, a retry or a delayed task falling due (a clock timer) wakes them.
 *
 * `shards` is accepted (and validated by core) but changes nothing here: one process serves the
 * whole queue in one FIFO order, which satisfies what any shard count promises (FIFO per shard).
 * `keys` is ignored: memory has no key names.
 */
export class MemoryQueue<T> extends BaseQueue<T> {
  private readonly state: QueueState;

  /** Use `MemoryBackend.queue(name, options)`; `options` come resolved by core's resolveQueueOptions. */
  constructor(
    name: string,
    options: ResolvedQueueOptions,
    private readonly scope: BackendScope,
  ) {
    super(name, options, scope.clock, scope.random);
    this.state = scope.store.queue(name);
  }

  /** See Queue.recoverStalled; uses this handle's maxAttempts. */
  async recoverStalled(): Promise<number> {
    this.assertOpen();
    const now = this.clock.now();
    const count = this.state.recover(now, this.options.maxAttempts);
    if (count > 0) this.state.serve(now);
    return count;
  }

  /** See Queue.stats; due delayed tasks count as waiting. */
  async stats(): Promise<QueueStats> {
    this.assertOpen();
    this.state.serve(this.clock.now());
    return this.state.stats();
  }

  protected assertOpen(): void {
    this.scope.assertOpen();
  }

  protected async addTasks(tasks: PreparedTask[]): Promise<EnqueueResult[]> {
    this.assertOpen();
    const now = this.clock.now();
    const results = tasks.map((task) => ({ id: task.id, status: this.state.add(task, now, this.options.retainFinishedMs) }));
    this.state.serve(now);
    return results;
  }

  protected async leaseTasks(max: number, waitMs: number): Promise<Lease<T>[]> {
    this.assertOpen();
    const now = this.clock.now();
    // Earlier blocked dequeues are served before this one takes anything.
    this.state.serve(now);
    const records = this.state.take(max, now, this.options.visibilityTimeoutMs);
    if (records.length > 0 || waitMs === 0) return records.map((r) => this.toLease(r));
    return this.wait(max, now + waitMs);
  }

  protected async completeLease(lease: Lease<T>): Promise<boolean> {
    this.assertOpen();
    return this.state.complete(lease.id, lease.token, this.clock.now(), this.options.retainFinishedMs);
  }

  protected async failLease(lease: Lease<T>, decision: FailDecision): Promise<boolean> {
    this.assertOpen();
    const now = this.clock.now();
    const held = this.state.fail(lease.id, lease.token, decision, now);
    // A retry may be due at once, or sooner than what blocked dequeues are waiting for.
    if (held) this.state.serve(now);
    return held;
  }

  protected async extendLease(lease: Lease<T>, ms: number): Promise<boolean> {
    this.assertOpen();
    return this.state.extend(lease.id, lease.token, ms, this.clock.now());
  }

  protected async checkFinished(id: string): Promise<boolean> {
    this.assertOpen();
    return this.state.isFinished(id, this.clock.now(), this.options.retainFinishedMs);
  }

  protected async listDead(limit: number): Promise<Task<T>[]> {
    this.assertOpen();
    return this.state.deadLetters(limit).map((r) => this.toDeadTask(r));
  }

  /**
   * Blocks until tasks are handed over, clock time `deadline` passes ([]), or the backend closes
   * ([]). One clock timer at a time: at the deadline or when the next delayed task falls due.
   */
  private wait(max: number, deadline: number): Promise<Lease<T>[]> {
    return new Promise((resolve) => {
      let done = false;
      let timer: ClockTimer | undefined;
      let untrack: () => void = () => undefined;
      const finish = (records: readonly LeaseRecord[]): void => {
        if (done) return;
        done = true;
        timer?.cancel();
        untrack();
        this.state.waiters.delete(waiter);
        resolve(records.map((r) => this.toLease(r)));
      };
      const arm = (at: number): void => {
        if (done || timer?.at === at) return;
        timer?.cancel();
        timer = timerAt(this.clock, at, onTimer);
      };
      const onTimer = (): void => {
        timer = undefined;
        const now = this.clock.now();
        this.state.serve(now);
        if (done) return;
        if (now >= deadline) finish([]);
        else arm(Math.min(deadline, this.state.nextDue() ?? deadline));
      };
      const waiter: DequeueWaiter = {
        max,
        visibilityTimeoutMs: this.options.visibilityTimeoutMs,
        deliver: finish,
        reschedule: (nextDue) => arm(Math.min(deadline, nextDue ?? deadline)),
      };
      this.state.waiters.add(waiter);
      untrack = this.scope.onClose(() => finish([]));
      arm(Math.min(deadline, this.state.nextDue() ?? deadline));
    });
  }

  private toLease(record: LeaseRecord): Lease<T> {
    const lease: Lease<T> = {
      id: record.id,
      payload: JSON.parse(record.json) as T,
      attempt: record.attempt,
      enqueuedAt: record.enqueuedAt,
      token: record.token,
      deadline: record.deadline,
    };
    if (record.lastError !== undefined) lease.lastError = record.lastError;
    return lease;
  }

  private toDeadTask(record: DeadRecord): Task<T> {
    return {
      id: record.id,
      payload: JSON.parse(record.json) as T,
      attempt: record.attempt,
      enqueuedAt: record.enqueuedAt,
      lastError: record.lastError,
    };
  }
}
