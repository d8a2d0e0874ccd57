import { MAX_BATCH, type EnqueueResult, type Lease, type QueueStats, type Task } from '@baton/core';
import { newToken, type FailDecision, type LeaseRef, type LeaseWait, type PreparedTask, type QueueStore, type ResolvedQueueOptions } from '@baton/core/adapter';
import type { BackendContext } from '../backend-context.js';
import type { QueueKeys } from '../key-layout.js';
import { heldReply, ReplyCode } from '../reply-codes.js';
import { CompletionBatcher } from './completion-batcher.js';
import { decodeDelivery, decodeEnvelope, encodeEnvelope } from './envelope.js';
import type { QueueWaiter } from './queue-waiter.js';

/** Most tasks one enqueueTasks call carries: core's MAX_BATCH, so every enqueueMany is one round trip. */
const ENQUEUE_CHUNK = MAX_BATCH;
/** Most expired leases one recoverStalledTasks call handles; recoverStalled loops until none are left. */
const RECOVER_CHUNK = 1_000;

const STATUS: Record<number, EnqueueResult['status']> = {
  [ReplyCode.Queued]: 'queued',
  [ReplyCode.Duplicate]: 'duplicate',
  [ReplyCode.Finished]: 'finished',
};

/**
 * Core's QueueStore on Redis. Every step is one Lua script (one round trip): enqueue (LPUSH or
 * ZADD, with duplicate and finished checks), lease (promote due delayed tasks, pop, skip finished
 * ids, record the lease), complete, fail, extend, recoverStalled and stats. Waiting for work
 * blocks on the wait list itself (see QueueWaiter), so raw `LPUSH`es by other clients wake
 * workers too. A sharded queue composes one of these per shard (see ShardedQueueStore).
 */
export class RedisQueueStore implements QueueStore {
  private readonly completions = new CompletionBatcher((items) => this.completeMany(items));

  /**
   * @param options the handle's, resolved by core (its StoreQueue gets the same)
   * @param waiter the backend's waiter on this wait list, shared by every handle on it
   */
  constructor(
    private readonly options: ResolvedQueueOptions,
    private readonly ctx: BackendContext,
    private readonly keys: QueueKeys,
    readonly waiter: QueueWaiter,
  ) {}

  /** See QueueStore.add: one script call per 10,000 tasks. */
  async add(tasks: readonly PreparedTask[]): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    for (let i = 0; i < tasks.length; i += ENQUEUE_CHUNK) {
      const chunk = tasks.slice(i, i + ENQUEUE_CHUNK);
      const now = this.ctx.clock.now();
      // lease tokens are "<base>.<n>": one random base per script call, numbered within it
      const args: Array<string | number> = [now, this.cutoff(now), this.keys.dueChannel, newToken()];
      for (const t of chunk) args.push(t.id, encodeEnvelope(t.id, t.json, now), t.delayMs);
      const k = this.keys;
      const keys = [k.wait, k.delayed, k.ids, k.finished, k.finishedAt, k.idle, k.leases, k.active];
      const codes = (await this.ctx.runner.run('enqueueTasks', keys, args)) as number[];
      chunk.forEach((t, j) => results.push({ id: t.id, status: STATUS[Number(codes[j])] ?? 'duplicate' }));
    }
    return results;
  }

  /** See QueueStore.lease: a lease call, then a blocking wait on the wait list while there is time left. */
  async lease(max: number, wait: LeaseWait): Promise<Lease<unknown>[]> {
    const giveUpAt = this.ctx.clock.now() + wait.waitMs;
    for (;;) {
      if (this.ctx.closed) return [];
      let lease: Awaited<ReturnType<typeof this.leaseOnce>>;
      try {
        lease = await this.leaseOnce(max, wait.signal?.aborted ? 0 : giveUpAt);
      } catch (error) {
        // A wait cut short by close() settles with nothing, like a wait that ran out. If the script
        // did run before the connection went, its leases expire and are recovered: nothing is lost.
        if (this.ctx.closed) return [];
        throw error;
      }
      const { leases, nextDue } = lease;
      if (leases.length > 0) return leases;
      const now = this.ctx.clock.now();
      const remaining = giveUpAt - now;
      if (remaining <= 0 || this.ctx.closed) return [];
      if (wait.signal?.aborted) return this.abandon();
      // bounded by the next delayed task's due time, so it is leased when it falls due
      const delay = nextDue >= 0 ? Math.min(remaining, Math.max(1, nextDue - now)) : remaining;
      const delivery = await this.waiter.wait(delay, wait.signal);
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

  /** See QueueStore.complete. Completions of one turn travel together (see CompletionBatcher). */
  complete(lease: LeaseRef): Promise<boolean> {
    return this.completions.complete(lease);
  }

  private async completeMany(items: Array<{ id: string; token: string }>): Promise<boolean[]> {
    const k = this.keys;
    const now = this.ctx.clock.now();
    const args: Array<string | number> = [now, this.cutoff(now)];
    for (const item of items) args.push(item.id, item.token);
    const reply = (await this.ctx.runner.run('completeTask', [k.leases, k.active, k.ids, k.finished, k.finishedAt], args)) as unknown[];
    return reply.map(heldReply);
  }

  /** See QueueStore.fail. */
  async fail(lease: LeaseRef, decision: FailDecision): Promise<boolean> {
    const k = this.keys;
    const args = [lease.id, lease.token, this.ctx.clock.now(), decision.dead ? 1 : 0, decision.retryInMs, decision.message, k.dueChannel];
    return heldReply(await this.ctx.runner.run('failTask', [k.leases, k.active, k.ids, k.delayed, k.dead, k.wait], args));
  }

  /** See QueueStore.extend. */
  async extend(lease: LeaseRef, ms: number): Promise<boolean> {
    const reply = await this.ctx.runner.run('extendLease', [this.keys.leases, this.keys.active], [lease.id, lease.token, this.ctx.clock.now() + ms]);
    return heldReply(reply);
  }

  /** See QueueStore.isFinished. */
  async isFinished(id: string): Promise<boolean> {
    const reply = await this.ctx.runner.run('checkFinished', [this.keys.finished, this.keys.finishedAt], [id, this.cutoff(this.ctx.clock.now())]);
    return Number(reply) === 1;
  }

  /** See QueueStore.recoverStalled. One script call per 1,000 expired leases. */
  async recoverStalled(): Promise<number> {
    const k = this.keys;
    let total = 0;
    for (;;) {
      const args = [this.ctx.clock.now(), this.options.maxAttempts, RECOVER_CHUNK];
      const count = Number(await this.ctx.runner.run('recoverStalledTasks', [k.active, k.leases, k.ids, k.wait, k.dead], args));
      total += count;
      if (count < RECOVER_CHUNK) return total;
    }
  }

  /** See QueueStore.stats. */
  async stats(): Promise<QueueStats> {
    const k = this.keys;
    const reply = (await this.ctx.runner.run('readStats', [k.wait, k.claimed, k.active, k.delayed, k.dead], [this.ctx.clock.now()])) as number[];
    const [waiting, active, delayed, dead] = reply.map(Number);
    return { waiting: waiting!, active: active!, delayed: delayed!, dead: dead! };
  }

  /** See QueueStore.deadLetters. */
  async deadLetters(limit: number): Promise<Task<unknown>[]> {
    const items = await this.ctx.runner.call((client) => client.lrange(this.keys.dead, 0, limit - 1));
    return items.map((text) => decodeEnvelope<unknown>(text, this.keys.dead));
  }

  private cutoff(now: number): number {
    return now - this.options.retainFinishedMs;
  }

  /**
   * One lease script call, no waiting: the leases and the next delayed task's due time (ms, -1: none).
   * With `idleUntil` (ms) later than now, a call that finds nothing registers this queue's waiter
   * as idle until then, so that enqueues deliver to it (see QueueWaiter).
   */
  async leaseOnce(max: number, idleUntil = 0): Promise<{ leases: Lease<unknown>[]; nextDue: number }> {
    const k = this.keys;
    const now = this.ctx.clock.now();
    const member = this.waiter.idleMember(this.options.visibilityTimeoutMs);
    const args: Array<string | number> = [now, this.options.visibilityTimeoutMs, max, this.cutoff(now), newToken(), member, idleUntil];
    // completions of this turn that have not left yet go along (at most one batch's worth)
    const completions = this.completions.take();
    for (const c of completions) args.push(c.id, c.token);
    const keys = [k.wait, k.claimed, k.delayed, k.active, k.leases, k.ids, k.finished, k.finishedAt, k.dead, k.idle];
    let reply: Array<string | number>;
    try {
      reply = (await this.ctx.runner.run('leaseTasks', keys, args)) as Array<string | number>;
    } catch (error) {
      for (const c of completions) c.reject(error);
      throw error;
    }
    const codes = Number(reply[1]);
    completions.forEach((c, j) => c.resolve(heldReply(reply[2 + j])));
    const leases: Lease<unknown>[] = [];
    const deadline = now + this.options.visibilityTimeoutMs;
    for (let i = 2 + codes; i + 1 < reply.length; i += 2) {
      const task = decodeEnvelope<unknown>(String(reply[i]), k.wait);
      leases.push({ ...task, token: String(reply[i + 1]), deadline });
    }
    return { leases, nextDue: Number(reply[0]) };
  }
}
