import {
  BaseQueue,
  MAX_BATCH,
  newToken,
  type EnqueueResult,
  type FailDecision,
  type Lease,
  type PreparedTask,
  type QueueStats,
  type ResolvedQueueOptions,
  type Task,
} from '@baton/core';
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
 * A Queue on Redis. Every step is one Lua script (one round trip): enqueue (LPUSH or ZADD, with
 * duplicate and finished checks), lease (promote due delayed tasks, pop, skip finished ids, record
 * the lease), complete, fail, extend, recoverStalled and stats. Waiting for work blocks on the
 * wait list itself (see QueueWaiter), so raw `LPUSH`es by other clients wake workers too.
 */
export class RedisQueue<T> extends BaseQueue<T> {
  private readonly completions = new CompletionBatcher((items) => this.completeMany(items));

  constructor(
    name: string,
    options: ResolvedQueueOptions,
    private readonly ctx: BackendContext,
    private readonly keys: QueueKeys,
    private readonly waiter: QueueWaiter,
  ) {
    super(name, options, ctx.clock);
  }

  protected assertOpen(): void {
    this.ctx.assertOpen();
  }

  protected async addTasks(tasks: PreparedTask[]): Promise<EnqueueResult[]> {
    const results: EnqueueResult[] = [];
    for (let i = 0; i < tasks.length; i += ENQUEUE_CHUNK) {
      const chunk = tasks.slice(i, i + ENQUEUE_CHUNK);
      const now = this.clock.now();
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

  protected async leaseTasks(max: number, waitMs: number): Promise<Lease<T>[]> {
    const giveUpAt = this.clock.now() + waitMs;
    for (;;) {
      if (this.ctx.closed) return [];
      let lease: Awaited<ReturnType<typeof this.leaseNow>>;
      try {
        lease = await this.leaseNow(max, giveUpAt);
      } catch (error) {
        // A wait cut short by close() settles with nothing, like a wait that ran out. If the script
        // did run before the connection went, its leases expire and are recovered: nothing is lost.
        if (this.ctx.closed) return [];
        throw error;
      }
      const { leases, nextDue } = lease;
      if (leases.length > 0) return leases;
      const now = this.clock.now();
      const remaining = giveUpAt - now;
      if (remaining <= 0 || this.ctx.closed) return [];
      // bounded by the next delayed task's due time, so it is leased when it falls due
      const wait = nextDue >= 0 ? Math.min(remaining, Math.max(1, nextDue - now)) : remaining;
      const delivery = await this.waiter.wait(wait);
      if (delivery !== undefined) return [this.deliveredLease(delivery)];
    }
  }

  /** A lease that an enqueue made for this queue's blocked waiter (see QueueWaiter). */
  deliveredLease(delivery: string): Lease<T> {
    const { task, token, deadline } = decodeDelivery<T>(delivery, this.keys.claimed);
    return { ...task, token, deadline };
  }

  /** Completions of one turn travel together (see CompletionBatcher). */
  protected completeLease(lease: Lease<T>): Promise<boolean> {
    return this.completions.complete(lease);
  }

  private async completeMany(items: Array<{ id: string; token: string }>): Promise<boolean[]> {
    const k = this.keys;
    const now = this.clock.now();
    const args: Array<string | number> = [now, this.cutoff(now)];
    for (const item of items) args.push(item.id, item.token);
    const reply = (await this.ctx.runner.run('completeTask', [k.leases, k.active, k.ids, k.finished, k.finishedAt], args)) as unknown[];
    return reply.map(heldReply);
  }

  protected async failLease(lease: Lease<T>, decision: FailDecision): Promise<boolean> {
    const k = this.keys;
    const args = [lease.id, lease.token, this.clock.now(), decision.dead ? 1 : 0, decision.retryInMs, decision.message, k.dueChannel];
    return heldReply(await this.ctx.runner.run('failTask', [k.leases, k.active, k.ids, k.delayed, k.dead, k.wait], args));
  }

  protected async extendLease(lease: Lease<T>, ms: number): Promise<boolean> {
    const reply = await this.ctx.runner.run('extendLease', [this.keys.leases, this.keys.active], [lease.id, lease.token, this.clock.now() + ms]);
    return heldReply(reply);
  }

  protected async checkFinished(id: string): Promise<boolean> {
    const reply = await this.ctx.runner.run('checkFinished', [this.keys.finished, this.keys.finishedAt], [id, this.cutoff(this.clock.now())]);
    return Number(reply) === 1;
  }

  /** See Queue.recoverStalled. One script call per 1,000 expired leases. */
  async recoverStalled(): Promise<number> {
    this.assertOpen();
    const k = this.keys;
    let total = 0;
    for (;;) {
      const args = [this.clock.now(), this.options.maxAttempts, RECOVER_CHUNK];
      const count = Number(await this.ctx.runner.run('recoverStalledTasks', [k.active, k.leases, k.ids, k.wait, k.dead], args));
      total += count;
      if (count < RECOVER_CHUNK) return total;
    }
  }

  /** See Queue.stats. Due delayed tasks count as waiting. */
  async stats(): Promise<QueueStats> {
    this.assertOpen();
    const k = this.keys;
    const reply = (await this.ctx.runner.run('readStats', [k.wait, k.claimed, k.active, k.delayed, k.dead], [this.clock.now()])) as number[];
    const [waiting, active, delayed, dead] = reply.map(Number);
    return { waiting: waiting!, active: active!, delayed: delayed!, dead: dead! };
  }

  protected async listDead(limit: number): Promise<Task<T>[]> {
    const items = await this.ctx.runner.call((client) => client.lrange(this.keys.dead, 0, limit - 1));
    return items.map((text) => decodeEnvelope<T>(text, this.keys.dead));
  }

  private cutoff(now: number): number {
    return now - this.options.retainFinishedMs;
  }

  /**
   * One lease script call, no waiting: the leases and the next delayed task's due time (ms, -1: none).
   * With `idleUntil` (ms) later than now, a call that finds nothing registers this queue's waiter
   * as idle until then, so that enqueues deliver to it (see QueueWaiter).
   */
  protected async leaseNow(max: number, idleUntil = 0): Promise<{ leases: Lease<T>[]; nextDue: number }> {
    const k = this.keys;
    const now = this.clock.now();
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
    const leases: Lease<T>[] = [];
    const deadline = now + this.options.visibilityTimeoutMs;
    for (let i = 2 + codes; i + 1 < reply.length; i += 2) {
      const task = decodeEnvelope<T>(String(reply[i]), k.wait);
      leases.push({ ...task, token: String(reply[i + 1]), deadline });
    }
    return { leases, nextDue: Number(reply[0]) };
  }
}
