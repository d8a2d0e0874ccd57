import {
  BackendDataError,
  MAX_BATCH,
  type CancelResult,
  type EnqueueResult,
  type Lease,
  type PurgeableState,
  type QueueEvent,
  type QueueEventType,
  type QueueStats,
  type RemoveResult,
  type Task,
  type TaskInfo,
  type TaskOutcome,
  type TaskState,
} from '@baton/core';
import {
  newToken,
  type FailDecision,
  type LeaseRef,
  type LeaseWait,
  type PreparedTask,
  type QueueStore,
  type QueueStoreSupport,
  type QueueSubscription,
  type ResolvedQueueOptions,
  type StorePage,
} from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { CompletionBatcher } from './completion-batcher.js';
import { decodeDelivery, decodeEnvelope, encodeEnvelope, envelopeHead } from './envelope.js';
import {
  cancelTask,
  checkFinished,
  completeTask,
  completeWithResult,
  enqueueTasks,
  extendLease,
  failTask,
  leaseTasks,
  readOutcome,
  readStats,
  recoverStalledTasks,
  reportProgress,
  setPaused,
  NO_PRIORITY,
  type LeaseReply,
} from './queue-scripts.js';
import { watchQueueEvents, type EventSource } from './queue-events.js';
import type { QueueWaiter } from './queue-waiter.js';
import type { KnownQueues } from './known-queues.js';
import { getTask, listPage, purge, redrive, remove, type QueueAccess } from './queue-admin.js';
import type { LimitWaiter } from './limit-waiter.js';
import type { CancelReply } from './queue-scripts.js';
import type { StallProbe } from './stall-probe.js';

/** Most tasks one enqueueTasks call carries: core's MAX_BATCH, so every enqueueMany is one round trip. */
const ENQUEUE_CHUNK = MAX_BATCH;
/** Most expired leases one recoverStalledTasks call handles; recoverStalled loops until none are left. */
const RECOVER_CHUNK = 1_000;
/** Most dead letters past retainDead one readStats call drops (core's PURGE_BATCH). */
const PRUNE_CHUNK = 1_000;

/** What the Redis store carries through its required methods (see QueueStoreSupport). */
const SUPPORTS: QueueStoreSupport = { priorities: true, headers: true, results: true, retainDead: true, limits: true, wakeups: true };

/** The limits an unsharded queue's own scripts judge (see QueueOptions.limits). */
export interface JudgedLimits {
  /** The spec its lease script reads (see limitSpec). */
  spec: string;
  /** Where its lease calls wait while the limits hold them back. */
  waiter: LimitWaiter;
}

/**
 * Core's QueueStore on Redis. Every step is one Lua script (one round trip): enqueue (LPUSH or
 * ZADD, with duplicate and finished checks), lease (promote due delayed tasks, pop, skip finished
 * ids, record the lease), complete, fail, extend, recoverStalled and stats. Tasks of priority 0
 * wait in the wait list as before priorities existed (a raw `LPUSH` is one of them); the others in
 * a sorted set by priority, served before and after the list by their sign. Deadlines, due times
 * and retention are judged by the server's clock (`TIME` in the scripts); the injected clock only
 * times local waits. Waiting for work uses no connection of its own (see QueueWaiter and
 * WakeHub); raw `LPUSH`es by other clients are found by the waiting safety net. A sharded queue composes one of these per shard
 * (see ShardedQueueStore).
 */
export class RedisQueueStore implements QueueStore, QueueAccess {
  /** See QueueStore.supports. */
  readonly supports = SUPPORTS;
  private readonly completions = new CompletionBatcher((items) => this.completeMany(items));

  /** Where completions announce a freed slot: the slots channel when this store judges limits, else ''. */
  private readonly slotsChannel: string;

  /**
   * @param options the handle's, resolved by core (its StoreQueue gets the same)
   * @param waiter the backend's waiter on this wait list, shared by every handle on it
   * @param probe the backend's batch of "any expired lease?" questions (see StallProbe)
   * @param limits the limits this store's scripts judge: an unsharded queue's; undefined for none,
   *   and for the shards of a sharded queue (ShardedQueueStore judges theirs on the home keys)
   */
  constructor(
    /** The queue's name, as its events carry it. */
    readonly name: string,
    readonly options: ResolvedQueueOptions,
    readonly ctx: BackendContext,
    readonly keys: QueueKeys,
    readonly waiter: QueueWaiter,
    private readonly probe: StallProbe,
    private readonly known: KnownQueues,
    private readonly limits?: JudgedLimits,
  ) {
    this.slotsChannel = limits === undefined ? '' : keys.slotsChannel;
  }

  /** See QueueStore.add: one script call per 10,000 tasks. */
  async add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    for (let i = 0; i < tasks.length; i += ENQUEUE_CHUNK) {
      const chunk = tasks.slice(i, i + ENQUEUE_CHUNK);
      // enqueuedAt is informational (nothing compares it), so the local clock gives it
      const now = this.ctx.clock.now();
      const items: Array<string | number> = [];
      let anyPriority = 0;
      for (const t of chunk) {
        items.push(t.id, encodeEnvelope(t, now), t.delayMs);
        if (t.priority !== 0) anyPriority = 1;
      }
      // lease tokens are "<base>.<n>": one random base per script call, numbered within it
      const { dueChannel, eventsChannel } = this.keys;
      const exactReceivers = this.ctx.connections.cluster ? 0 : 1;
      const ownChannel = this.waiter.ownChannel;
      const args = { retainMs: this.options.retainFinishedMs, dueChannel, tokenBase: newToken(), anyPriority, eventsChannel, exactReceivers, ownChannel };
      const [{ statuses, handed }] = await Promise.all([this.ctx.runner.run(enqueueTasks, this.keys, args, items), this.known.add(this.name)]);
      // tasks leased to this process's own waiting workers came back with the reply, not as messages
      for (const delivery of handed) this.waiter.receive(delivery);
      chunk.forEach((t, j) => results.push({ id: t.id, status: statuses[j]! }));
    }
    return results;
  }

  /**
   * See QueueStore.lease: a lease call, then a wait (see QueueWaiter) while there is time left. A
   * registration for deliveries lasts the whole wait, or at most the waiter's registration limit
   * (on a Cluster), after which the wait ends with a lease call that renews it.
   */
  async lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]> {
    const giveUpAt = this.ctx.clock.now() + wait.waitMs;
    for (;;) {
      if (this.ctx.closed) return [];
      const epoch = this.waiter.epoch;
      const freed = this.limits?.waiter.epoch ?? 0;
      const registerUntil = Math.min(giveUpAt, this.ctx.clock.now() + this.waiter.registrationLimitMs);
      let lease: Awaited<ReturnType<typeof this.leaseOnce>>;
      try {
        // a limited queue never registers as idle: an enqueue's delivery would pass its limits
        lease = await this.leaseOnce(max, wait.signal?.aborted || this.limits ? 0 : registerUntil, undefined, wait.holder);
      } catch (error) {
        // A wait cut short by close() settles with nothing, like a wait that ran out. If the script
        // did run before the connection went, its leases expire and are recovered: nothing is lost.
        if (this.ctx.closed) return [];
        throw error;
      }
      const { leases, nextDueInMs, heldForMs } = lease;
      if (leases.length > 0) return leases;
      const remaining = giveUpAt - this.ctx.clock.now();
      if (remaining <= 0 || this.ctx.closed) return [];
      if (wait.signal?.aborted) return this.abandon();
      if (heldForMs >= 0 && this.limits) {
        // held back with tasks ready: a blocking pop would return at once, so wait for a slot
        await this.limits.waiter.wait(Math.min(remaining, Math.max(1, heldForMs)), wait.signal, freed);
        continue;
      }
      // bounded by the next delayed task's due time, so it is leased when it falls due
      const registered = Math.max(1, registerUntil - this.ctx.clock.now());
      const delay = Math.min(remaining, registered, nextDueInMs >= 0 ? Math.max(1, nextDueInMs) : Infinity);
      const delivery = await this.waiter.wait(delay, wait.signal, epoch);
      if (delivery !== undefined) return [this.deliveredLease(delivery)];
      if (wait.signal?.aborted) return this.abandon();
    }
  }

  // The caller gave up waiting: nothing may be moved or delivered here for it any more.
  private async abandon(): Promise<Lease<unknown>[]> {
    await this.waiter.abandon();
    return [];
  }

  /** A lease that an enqueue made for this queue's blocked waiter (see QueueWaiter). */
  deliveredLease(delivery: string): Lease<unknown> {
    const { task, token, deadline } = decodeDelivery<unknown>(delivery, this.keys.claimed);
    return { ...task, token, deadline };
  }

  /**
   * See QueueStore.complete. Completions of one turn travel together (see CompletionBatcher); one
   * with a result is a call of its own (completeWithResult), so the plain ones carry nothing more.
   */
  complete(lease: LeaseRef, result?: string): Promise<boolean> {
    if (result === undefined) return this.completions.complete(lease);
    const args = {
      id: lease.id,
      token: lease.token,
      result,
      retainMs: this.options.retainFinishedMs,
      eventsChannel: this.keys.eventsChannel,
      slotsChannel: this.slotsChannel,
    };
    return this.ctx.runner.run(completeWithResult, this.keys, args);
  }

  /** See QueueStore.progress: one script call, which stores it and publishes the event. */
  progress(lease: LeaseRef, json: string): Promise<boolean> {
    return this.ctx.runner.run(reportProgress, this.keys, { id: lease.id, token: lease.token, progress: json, eventsChannel: this.keys.eventsChannel });
  }

  /** Where this store's scripts publish its events, and where watchers register for them. */
  get eventSource(): EventSource {
    return { channel: this.keys.eventsChannel, watching: this.keys.watching };
  }

  /** See QueueStore.watch: pub/sub on the queue's events channel (see watchQueueEvents). */
  watch(listener: (event: QueueEvent) => void, types: ReadonlySet<QueueEventType> | undefined): QueueSubscription {
    return watchQueueEvents(this.ctx, this.name, [this.eventSource], listener, types);
  }

  private async completeMany(items: Array<{ id: string; token: string }>): Promise<boolean[]> {
    const pairs: string[] = [];
    for (const item of items) pairs.push(item.id, item.token);
    const args = { retainMs: this.options.retainFinishedMs, eventsChannel: this.keys.eventsChannel, slotsChannel: this.slotsChannel };
    return this.ctx.runner.run(completeTask, this.keys, args, pairs);
  }

  /** See QueueStore.fail. */
  async fail(lease: LeaseRef, decision: FailDecision): Promise<boolean> {
    const { id, token } = lease;
    const { dead, retryInMs, message } = decision;
    const { count, ageMs } = this.options.retainDead;
    const args = {
      id,
      token,
      dead: dead ? 1 : 0,
      retryInMs,
      message,
      dueChannel: this.keys.dueChannel,
      eventsChannel: this.keys.eventsChannel,
      // reported by get as the retry's due time, in the frame of this node (like enqueuedAt)
      dueAt: this.ctx.clock.now() + retryInMs,
      retainCount: count,
      retainAgeMs: ageMs,
      slotsChannel: this.slotsChannel,
    };
    return this.ctx.runner.run(failTask, this.keys, args);
  }

  /** See QueueStore.extend. */
  async extend(lease: LeaseRef, ms: number): Promise<boolean> {
    return this.ctx.runner.run(extendLease, this.keys, { id: lease.id, token: lease.token, ms });
  }

  /** See QueueStore.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    return this.ctx.runner.run(checkFinished, this.keys, { id, retainMs: this.options.retainFinishedMs });
  }

  /**
   * See QueueStore.recoverStalled. One script call per 1,000 expired leases; when recoveries of
   * many queues start together, one call first finds those with an expired lease (StallProbe).
   */
  async recoverStalled(): Promise<number> {
    if (!(await this.probe.mayHaveStalled(this.keys.active))) return 0;
    let total = 0;
    for (;;) {
      const { retainDead } = this.options;
      const args = {
        maxAttempts: this.options.maxAttempts,
        limit: RECOVER_CHUNK,
        dueChannel: this.keys.dueChannel,
        eventsChannel: this.keys.eventsChannel,
        retainCount: retainDead.count,
        retainAgeMs: retainDead.ageMs,
      };
      const count = await this.ctx.runner.run(recoverStalledTasks, this.keys, args);
      total += count;
      if (count < RECOVER_CHUNK) return total;
    }
  }

  /** See QueueStore.stats: one script call, which first drops dead letters past retainDead (at most 1,000). */
  async stats(): Promise<QueueStats> {
    const { count, ageMs } = this.options.retainDead;
    return this.ctx.runner.run(readStats, this.keys, { retainCount: count, retainAgeMs: ageMs, pruneMax: PRUNE_CHUNK });
  }

  /** See QueueStore.get: one read-only script call, O(1) (see readTask.lua). */
  get(id: string): Promise<TaskInfo | undefined> {
    return getTask(this, id);
  }

  /** See QueueStore.list: one read-only script call per page (see listTasks.lua). */
  list(state: TaskState, limit: number, after: string | undefined): Promise<StorePage> {
    return listPage(this, state, limit, after);
  }

  /** See QueueStore.retryDead: one script call. */
  retryDead(ids: readonly string[] | undefined, max: number): Promise<number> {
    return redrive(this, ids, max);
  }

  /** See QueueStore.remove: one script call. */
  remove(id: string): Promise<RemoveResult> {
    return remove(this, id);
  }

  /** See QueueStore.purge: one script call of at most `max` tasks. */
  purge(state: PurgeableState, max: number): Promise<number> {
    return purge(this, state, max);
  }

  /**
   * See QueueStore.cancel: one script call. A leased task is found at once; a waiting or delayed
   * one by reading its list or sorted set (O(tasks waiting)), which only cancel does. The holder
   * learns it when its next extension or completion is refused (core then reads the outcome).
   */
  async cancel(id: string, reason: string | undefined): Promise<CancelResult> {
    return (await this.cancelTask(id, reason)).result;
  }

  /** See cancel; also the token of the lease it dropped, if the task was active (a sharded queue frees its reservation with it). */
  cancelTask(id: string, reason: string | undefined): Promise<CancelReply> {
    const args = {
      id,
      head: envelopeHead(id),
      reason: reason === undefined ? '-' : `+${reason}`,
      retainMs: this.options.retainFinishedMs,
      eventsChannel: this.keys.eventsChannel,
      slotsChannel: this.slotsChannel,
    };
    return this.ctx.runner.run(cancelTask, this.keys, args);
  }

  /** See QueueStore.outcome: one read-only script call. */
  async outcome(id: string): Promise<TaskOutcome | undefined> {
    const { state, detail } = await this.ctx.runner.run(readOutcome, this.keys, { id, head: envelopeHead(id), retainMs: this.options.retainFinishedMs });
    if (state === 'finished') return { state, result: detail === undefined ? undefined : parseStored(detail, this.keys.results) };
    if (state === 'dead') return { state, error: decodeEnvelope(detail ?? '', this.keys.dead).lastError ?? '' };
    if (state === 'cancelled') return detail?.startsWith('+') ? { state, reason: detail.slice(1) } : { state, reason: undefined };
    return undefined;
  }

  /**
   * See QueueStore.setPaused: one script call. The flag is read by every lease call; resuming
   * announces "due now" on the due channel, so blocked workers of every process look at once.
   */
  async setPaused(paused: boolean): Promise<void> {
    await this.ctx.runner.run(setPaused, this.keys, { paused: paused ? 1 : 0, dueChannel: this.keys.dueChannel });
  }

  /** See QueueStore.isPaused. */
  async isPaused(): Promise<boolean> {
    return (await this.ctx.runner.call((client) => client.exists(this.keys.paused))) === 1;
  }

  /** See QueueStore.deadLetters. */
  async deadLetters(limit: number): Promise<Task<unknown>[]> {
    const items = await this.ctx.runner.call((client) => client.lrange(this.keys.dead, 0, limit - 1));
    return items.map((text) => decodeEnvelope<unknown>(text, this.keys.dead));
  }

  /**
   * One lease script call, no waiting: the leases, the ms until the next delayed task is due
   * (-1: none) and, with `floor`, the highest priority left ready (NO_PRIORITY: none). With
   * `idleUntil` (ms, local clock) later than now, a call that finds nothing ready registers this
   * queue's waiter as idle until then, so that enqueues deliver to it (see QueueWaiter). With
   * `floor` (a sharded queue's), only tasks of at least that priority are leased. With `tokens`
   * (a sharded queue's reserved ones, see reserveLeases.lua), the leases take the tokens
   * "<base>.<from + 1>" onwards. With limits of its own, `heldForMs` is -1, or the ms until the
   * limits that held the call back (tasks ready, nothing leased) may lift by the clock.
   */
  async leaseOnce(
    max: number,
    idleUntil = 0,
    floor?: number,
    holder?: string,
    tokens?: { base: string; from: number },
  ): Promise<{ leases: Lease<unknown>[]; nextDueInMs: number; top: number; heldForMs: number }> {
    const now = this.ctx.clock.now();
    const visibilityMs = this.options.visibilityTimeoutMs;
    const deadline = now + visibilityMs;
    const idleMember = this.waiter.idleMember(visibilityMs);
    // the server registers it for as long from its own now
    const idleForMs = idleMember === '' ? 0 : Math.max(0, idleUntil - now);
    const args = {
      visibilityMs,
      max,
      retainMs: this.options.retainFinishedMs,
      tokenBase: tokens?.base ?? newToken(),
      idleMember,
      idleForMs,
      floor: floor ?? NO_PRIORITY,
      wantTop: floor === undefined ? 0 : 1,
      eventsChannel: this.keys.eventsChannel,
      holder: holder ?? '',
      deadline,
      limits: this.limits?.spec ?? '',
      slotsChannel: this.slotsChannel,
      tokenFrom: tokens?.from ?? 0,
    };
    // completions of this turn that have not left yet go along (at most one batch's worth)
    const completions = this.completions.take();
    const pairs: string[] = [];
    for (const c of completions) pairs.push(c.id, c.token);
    let reply: LeaseReply;
    // a delivery for this registration may come before the reply: the waiter keeps it meanwhile
    if (idleForMs > 0) this.waiter.leaseStarted();
    try {
      [reply] = await Promise.all([this.ctx.runner.run(leaseTasks, this.keys, args, pairs), this.known.add(this.name)]);
    } catch (error) {
      for (const c of completions) c.reject(error);
      throw error;
    } finally {
      if (idleForMs > 0) this.waiter.leaseEnded();
    }
    completions.forEach((c, j) => c.resolve(reply.completed[j] === true));
    const leases: Lease<unknown>[] = [];
    for (const { envelope, token } of reply.leased) leases.push({ ...decodeEnvelope<unknown>(envelope, this.keys.wait), token, deadline });
    return { leases, nextDueInMs: reply.nextDueInMs, top: reply.top, heldForMs: reply.heldForMs };
  }
}

// A stored result is JSON text core serialized; anything else is data Baton cannot read.
function parseStored(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BackendDataError(`A result in ${where} is not valid JSON.`, { cause });
  }
}
