import type {
  CancelResult,
  Clock,
  EnqueueResult,
  Lease,
  PurgeableState,
  QueueEvent,
  QueueEventType,
  QueueStats,
  RemoveResult,
  Task,
  TaskHeaders,
  TaskInfo,
  TaskOutcome,
  TaskState,
} from '@baton/core';
import {
  newToken,
  type FailDecision,
  type LeaseRef,
  type LeaseWait,
  type PreparedTask,
  type QueueStore,
  type QueueSubscription,
  type ResolvedQueueOptions,
  type StorePage,
} from '@baton/core/adapter';
import type { PgContext } from '../backend-context.js';
import { CompletionBatcher, settle, type PendingCompletion } from './completion-batcher.js';
import type { FinishedPruner } from './finished-pruner.js';
import type { KnownQueues } from './known-queues.js';
import type { PgQueueAdmin } from './pg-queue-admin.js';
import type { PgQueueEvents } from './pg-queue-events.js';
import { toDeadTask, toOutcome, type ClaimRow, type OutcomeRow, type TaskRow } from './queue-rows.js';
import type { QueueSql } from './queue-sql.js';
import type { QueueWaiter } from './queue-waiter.js';

/** Why and for how long (ms, by the clock) the limits held a claim back (see LimitedSql.claim). */
interface Held {
  until: 'slot' | 'window';
  ms: number;
}

/** What one claim statement answered. */
interface Claim {
  leases: Lease<unknown>[];
  /** ms until the next delayed task is due; null: none (or all that were asked for were leased). */
  nextDueMs: number | null;
  /** The claim registered this backend as waiting on the queue (or, when held, marked the queue held). */
  registered: boolean;
  held?: Held | undefined;
}

/** Most expired leases one recover statement handles; recoverStalled goes on until a batch is not full. */
const RECOVER_BATCH = 1_000;
/** Longest sleep of a waiting claim between two looks (ms): the backstop for a lost notification. */
const SLOW_POLL_MS = 2_000;

const STATUS: Record<string, EnqueueResult['status']> = { q: 'queued', d: 'duplicate', f: 'finished', c: 'cancelled' };

/**
 * The QueueStore of one queue on PostgreSQL (core's StoreQueue makes the Queue): one row per task in `tasks` (see the v2 migration). Every step is one
 * statement. A claim takes ready rows with FOR UPDATE SKIP LOCKED in the queue's index order
 * (priority, due time, order of enqueue), in batches, and writes a lease token and deadline on
 * each; completions requested in the same turn travel in the claim's statement, so a worker at
 * concurrency 1 runs one statement per task. Waiting for work sleeps on the queue's NOTIFY channel
 * (see QueueWaiter), with a timer for the next delayed task and a slow look every 2 s as backstops.
 * A completion keeps its result on the finished row; a cancellation turns the row into a
 * cancelled id kept like a finished one; the statements send the queue's events by NOTIFY while
 * someone watches them (see event-sql.ts and PgQueueEvents).
 */
export class PgQueueStore implements QueueStore {
  /**
   * See QueueStore.supports: priorities, headers and results are columns of the task row; dead
   * letters are bounded (see PgQueueAdmin.pruneDead); limits are judged in the claim statement
   * (see the v6 migration).
   */
  readonly supports = { priorities: true, headers: true, results: true, retainDead: true, limits: true } as const;
  private readonly completions = new CompletionBatcher((ids, tokens, results) => this.completeMany(ids, tokens, results));

  constructor(
    private readonly name: string,
    private readonly options: ResolvedQueueOptions,
    private readonly ctx: PgContext,
    private readonly sql: QueueSql,
    private readonly waiter: QueueWaiter,
    private readonly pruner: FinishedPruner,
    private readonly events: PgQueueEvents,
    private readonly known: KnownQueues,
    private readonly admin: PgQueueAdmin,
  ) {}

  private get clock(): Clock {
    return this.ctx.clock;
  }

  /** See QueueStore.add: one statement per call; NOTIFYs the queue's channel only while someone waits. */
  async add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]> {
    if (!this.known.has(this.name)) await this.known.mark(this.name);
    if (tasks.length === 1) return [await this.addOne(tasks[0]!)];
    const ids = tasks.map((t) => t.id);
    const rows = await this.ctx.db.query<{ ord: number; status: string }>(this.sql.enqueue, [
      this.name,
      ids,
      tasks.map((t) => t.json),
      tasks.map((t) => t.delayMs),
      this.waiter.channel,
      tasks.map((t) => t.priority),
      tasks.map((t) => (t.headers === undefined ? null : JSON.stringify(t.headers))),
    ]);
    const results: EnqueueResult[] = ids.map((id) => ({ id, status: 'duplicate' }));
    for (const row of rows) if (row.ord > 0) results[row.ord - 1]!.status = STATUS[row.status] ?? 'duplicate';
    return results;
  }

  // One task without arrays: a statement the server plans once and runs in a tenth of the time
  // of the array form (measured in the commit that added it).
  private async addOne(task: PreparedTask): Promise<EnqueueResult> {
    const [row] = await this.ctx.db.query<{ status: string }>(this.sql.enqueueOne, [
      this.name,
      task.id,
      task.json,
      task.delayMs,
      this.waiter.channel,
      task.priority,
      task.headers === undefined ? null : JSON.stringify(task.headers),
    ]);
    return { id: task.id, status: STATUS[row!.status] ?? 'duplicate' };
  }

  /** See QueueStore.lease. */
  async lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]> {
    if (!this.known.has(this.name)) {
      try {
        await this.known.mark(this.name);
      } catch (error) {
        // as for a claim cut short by close(): nothing was taken
        if (this.ctx.closed) return [];
        throw error;
      }
    }
    const { waitMs, signal, holder } = wait;
    const giveUpAt = this.clock.now() + waitMs;
    const looked = { afterRegistering: false, afterHolding: false };
    for (;;) {
      if (this.ctx.closed || signal?.aborted) return [];
      const remaining = giveUpAt - this.clock.now();
      let claim: Claim;
      const epoch = this.waiter.epoch;
      const slotEpoch = this.waiter.slotEpoch;
      try {
        // no await when the channel is LISTENed already: completions requested in this turn must
        // still be pending when the claim takes them along
        const listening = remaining > 0 ? this.waiter.ready() : undefined;
        if (listening) await listening;
        claim = await this.claim(max, remaining, looked, holder);
      } catch (error) {
        // A wait cut short by close() settles with nothing, like a wait that ran out. Leases the
        // statement may have made expire and are recovered: nothing is lost.
        if (this.ctx.closed) return [];
        throw error;
      }
      if (claim.leases.length > 0) return claim.leases;
      const left = giveUpAt - this.clock.now();
      if (left <= 0 || this.ctx.closed || signal?.aborted) return [];
      if (claim.held !== undefined) {
        await this.holdBack(claim.held, claim.registered, looked, left, signal, slotEpoch);
        continue;
      }
      // Just registered as waiting: an enqueue that committed meanwhile may not have seen the
      // registration (nor this claim its task), so look once more before sleeping.
      if (claim.registered && !looked.afterRegistering) {
        looked.afterRegistering = true;
        continue;
      }
      // Not registered for this wait yet (the claim carried completions): register before sleeping.
      if (!looked.afterRegistering && this.waiter.registeredUntil < this.clock.now() + left) continue;
      const due = claim.nextDueMs === null ? Infinity : Math.max(1, claim.nextDueMs);
      await this.waiter.wait(Math.min(left, due, SLOW_POLL_MS), signal, epoch);
    }
  }

  /**
   * The wait of a lease call that the limits held back with tasks ready: until the rate window
   * ends (nothing else can help), or until a slot frees (a NOTIFY from a completion, fail or
   * cancellation of any handle while the queue is marked held, see the v6 and v7 migrations) or
   * the clock frees one
   * (the earliest live deadline), looking at least every 2 s for a lost notification. Like the
   * wait for work, it marks the queue held, then looks once more before sleeping. Resolves when
   * the caller should claim again.
   */
  private async holdBack(
    held: Held,
    marked: boolean,
    looked: { afterHolding: boolean },
    left: number,
    signal: AbortSignal | undefined,
    slotEpoch: number,
  ): Promise<void> {
    if (held.until === 'window') return this.waiter.wait(Math.min(left, held.ms), signal, 0, 'clock');
    if (marked && !looked.afterHolding) {
      looked.afterHolding = true;
      return;
    }
    // not marked for this wait yet (the claim carried completions): mark before sleeping
    if (!looked.afterHolding && this.waiter.heldUntil < this.clock.now() + left) return;
    return this.waiter.wait(Math.min(left, held.ms, SLOW_POLL_MS), signal, slotEpoch, 'slot');
  }

  /** See QueueStore.complete. Completions of one turn travel together, or with a claim of the same turn (see CompletionBatcher). */
  complete(lease: LeaseRef, result?: string): Promise<boolean> {
    this.pruner.start();
    return this.completions.complete(lease, result);
  }

  private async completeMany(ids: string[], tokens: string[], results: Array<string | null>): Promise<string[]> {
    const values: unknown[] = [this.name, ids, tokens, results, this.options.retainFinishedMs, this.waiter.channel];
    const rows = await this.ctx.db.query<{ id: string | null }>(this.sql.complete, values);
    return rows.filter((r) => r.id !== null).map((r) => r.id!);
  }

  /**
   * See QueueStore.fail: a retry due at once (or sooner) NOTIFYs the queue's channel while someone
   * waits; a task that died is followed by one bounded step of the dead-letter retention.
   */
  async fail(lease: LeaseRef, decision: FailDecision): Promise<boolean> {
    const rows = await this.ctx.db.query<{ kind: string }>(this.sql.fail, [
      this.name,
      lease.id,
      lease.token,
      decision.dead,
      decision.retryInMs,
      decision.message,
      this.waiter.channel,
    ]);
    const held = rows.some((r) => r.kind === 'held');
    if (held && decision.dead) await this.pruneAfterDeath();
    return held;
  }

  /** See QueueStore.extend. */
  async extend(lease: LeaseRef, ms: number): Promise<boolean> {
    return (await this.ctx.db.query(this.sql.extend, [this.name, lease.id, lease.token, ms])).length === 1;
  }

  /** See QueueStore.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    return (await this.ctx.db.query(this.sql.finished, [this.name, id])).length === 1;
  }

  /** See QueueStore.recoverStalled: statements of up to 1,000 expired leases until one is not full, then the dead-letter retention if any died. */
  async recoverStalled(): Promise<number> {
    let total = 0;
    let died = 0;
    for (;;) {
      const [row] = await this.ctx.db.query<{ recovered: number; dead: number }>(this.sql.recover, [
        this.name,
        this.options.maxAttempts,
        RECOVER_BATCH,
        this.waiter.channel,
      ]);
      const count = (row?.recovered ?? 0) + (row?.dead ?? 0);
      total += count;
      died += row?.dead ?? 0;
      if (count < RECOVER_BATCH) break;
    }
    if (died > 0) await this.pruneAfterDeath();
    return total;
  }

  // The step that dead-lettered is done: a failure of the retention step after it is logged, not
  // reported as the step's (the next read or death drops what this one did not).
  private async pruneAfterDeath(): Promise<void> {
    await this.admin.pruneDead().catch((error: unknown) => {
      if (!this.ctx.closed)
        this.ctx.logger.warn('dropping dead letters past retainDead failed; the next step tries again', { queue: this.name, error: String(error) });
    });
  }

  /** See QueueStore.stats. Due delayed tasks count as waiting; dead letters past retainDead are dropped first. */
  async stats(): Promise<QueueStats> {
    await this.admin.pruneDead();
    const [row] = await this.ctx.db.query<QueueStats & { dead_dropped: number }>(this.sql.stats, [this.name]);
    return { waiting: row!.waiting, active: row!.active, delayed: row!.delayed, dead: row!.dead, deadDropped: row!.dead_dropped };
  }

  /** See QueueStore.deadLetters. A payload that is not JSON comes back as its text. Dead letters past retainDead are dropped first. */
  async deadLetters(limit: number): Promise<Task<unknown>[]> {
    await this.admin.pruneDead();
    const rows = await this.ctx.db.query<TaskRow>(this.sql.dead, [this.name, limit]);
    return rows.map(toDeadTask);
  }

  /** See QueueStore.outcome: one statement (two more when it reads a dead letter past retainDead). */
  async outcome(id: string): Promise<TaskOutcome | undefined> {
    let [row] = await this.ctx.db.query<OutcomeRow>(this.sql.outcome, [this.name, id]);
    if (row?.state === 2 && (await this.admin.pruneDead()) > 0) [row] = await this.ctx.db.query<OutcomeRow>(this.sql.outcome, [this.name, id]);
    return row && toOutcome(row);
  }

  /** See QueueStore.get. */
  get(id: string): Promise<TaskInfo | undefined> {
    return this.admin.get(id);
  }

  /** See QueueStore.list. */
  list(state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
    return this.admin.list(state, limit, after);
  }

  /** See QueueStore.setPaused. */
  setPaused(paused: boolean): Promise<void> {
    return this.admin.setPaused(paused);
  }

  /** See QueueStore.isPaused. */
  isPaused(): Promise<boolean> {
    return this.admin.isPaused();
  }

  /** See QueueStore.retryDead. */
  retryDead(ids: readonly string[] | undefined, max: number): Promise<number> {
    return this.admin.retryDead(ids, max);
  }

  /** See QueueStore.remove. */
  remove(id: string): Promise<RemoveResult> {
    return this.admin.remove(id);
  }

  /** See QueueStore.purge. */
  purge(state: PurgeableState, max: number): Promise<number> {
    return this.admin.purge(state, max);
  }

  /** See QueueStore.cancel: one statement; the cancellation is kept for this handle's retainFinishedMs. */
  async cancel(id: string, reason: string | undefined): Promise<CancelResult> {
    this.pruner.start();
    const values: unknown[] = [this.name, id, reason ?? null, this.options.retainFinishedMs, this.waiter.channel];
    const [row] = await this.ctx.db.query<{ answer: CancelResult }>(this.sql.cancel, values);
    return row!.answer;
  }

  /** See QueueStore.progress: one statement. */
  async progress(lease: LeaseRef, json: string): Promise<boolean> {
    return (await this.ctx.db.query(this.sql.progress, [this.name, lease.id, lease.token, json])).length === 1;
  }

  /** See QueueStore.watch: one LISTEN and one `queue_watchers` row per queue and backend, shared by every listener (see PgQueueEvents). */
  watch(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription {
    return this.events.subscribe(listener, types);
  }

  /**
   * One claim statement: the completions of this turn, then up to `max` leases for `holder`
   * (nothing while the queue is paused; with limits, no more than they allow). With `waitMs` > 0
   * and no fresh registration, a claim that finds nothing registers this backend as waiting on the
   * queue (so enqueues NOTIFY), and one that limits held back marks the queue held (so freed slots
   * NOTIFY); one that finds work while nobody else here waits removes the registration.
   */
  private async claim(max: number, waitMs: number, looked: { afterRegistering: boolean; afterHolding: boolean }, holder: string | undefined): Promise<Claim> {
    const completions = this.completions.take();
    const sentAt = this.clock.now();
    const limits = this.options.limits;
    // A registration waits for the enqueues in flight, so it never carries completions (see QueueSql.claimWaiting).
    const register = waitMs > 0 && !looked.afterRegistering && completions.length === 0 && this.waiter.registeredUntil < sentAt + waitMs;
    const hold = limits !== undefined && waitMs > 0 && !looked.afterHolding && completions.length === 0 && this.waiter.heldUntil < sentAt + waitMs;
    const leave = !register && this.waiter.registeredUntil > sentAt && this.waiter.sleeping === 0;
    const values: unknown[] = [
      this.name,
      max,
      this.options.visibilityTimeoutMs,
      newToken(),
      completions.map((c) => c.id),
      completions.map((c) => c.token),
      completions.map((c) => c.result),
      this.options.retainFinishedMs,
      holder ?? null,
      this.waiter.channel,
    ];
    // the plain path tests one field: a handle without limits never judges them
    if (limits) values.push(limits.concurrency ?? 0, limits.rate?.max ?? 0, limits.rate?.perMs ?? 0, hold ? waitMs : 0);
    if (register) values.push(this.waiter.id, waitMs);
    else if (leave) values.push(this.waiter.id);
    if (completions.length > 0) this.pruner.start();
    const sql = limits ? this.sql.limited : this.sql;
    let rows: ClaimRow[];
    try {
      rows = await this.ctx.db.query<ClaimRow>(register ? sql.claimWaiting : leave ? sql.claimLeaving : sql.claim, values);
    } catch (error) {
      for (const c of completions) c.reject(error);
      throw error;
    }
    return this.read(rows, completions, sentAt, register ? waitMs : 0, hold ? waitMs : 0, leave);
  }

  private read(rows: ClaimRow[], completions: PendingCompletion[], sentAt: number, registeredForMs: number, heldForMs: number, leave: boolean): Claim {
    settle(
      completions,
      rows.filter((r) => r.kind === 'c').map((r) => r.id!),
    );
    const leased = rows.filter((r) => r.kind === 'l').sort((a, b) => Number(a.n) - Number(b.n));
    const leases: Lease<unknown>[] = [];
    for (const row of leased) {
      const lease: Lease<unknown> = {
        id: row.id!,
        payload: undefined,
        attempt: row.attempt!,
        enqueuedAt: Number(row.enqueued_at),
        priority: row.priority ?? 0,
        token: row.token!,
        // the database's deadline (as enqueuedAt is the database's time), so that get and list
        // show the lease as its holder got it; a Scheduler also bounds it by its own clock
        deadline: Number(row.deadline),
      };
      if (row.last_error !== null) lease.lastError = row.last_error;
      if (row.headers !== null) lease.headers = JSON.parse(row.headers) as TaskHeaders;
      try {
        lease.payload = JSON.parse(row.payload!) as unknown;
      } catch (error) {
        this.deadLetterCorrupt(lease, error);
        continue;
      }
      leases.push(lease);
    }
    const next = rows.find((r) => r.kind === 'n');
    const heldRow = rows.find((r) => r.kind === 's' || r.kind === 'w');
    const held: Held | undefined = heldRow && { until: heldRow.kind === 's' ? 'slot' : 'window', ms: Math.max(1, Number(heldRow.n)) };
    if (leased.length > 0 && leave) this.waiter.registeredUntil = 0;
    // a held call registers as held (until a slot frees), not as waiting for work
    const registered = held === undefined ? registeredForMs > 0 && leased.length === 0 : held.until === 'slot' && heldForMs > 0;
    if (registered && held === undefined) this.waiter.registeredUntil = sentAt + registeredForMs;
    if (registered && held !== undefined) this.waiter.heldUntil = sentAt + heldForMs;
    return { leases, nextDueMs: next?.n === null || next?.n === undefined ? null : Number(next.n), registered, held };
  }

  // A row whose payload is not JSON was not written by Baton: it goes to the dead letters with the
  // reason, and the worker carries on with the rest.
  private deadLetterCorrupt(lease: Lease<unknown>, error: unknown): void {
    const message = `corrupt payload (not JSON: ${String(error)})`;
    this.fail(lease, { message, dead: true, retryInMs: 0 }).catch((failure: unknown) =>
      this.ctx.logger.warn('could not dead-letter a task with a corrupt payload; its lease will expire', {
        queue: this.name,
        id: lease.id,
        error: String(failure),
      }),
    );
  }
}
