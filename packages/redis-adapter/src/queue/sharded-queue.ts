import { setMaxListeners } from 'node:events';
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
import type { BackendContext } from '../backend-context.js';
import type { QueueWaiter } from './queue-waiter.js';
import type { ShardQueue } from './shard-queue.js';

/** A shard and the waiter that blocks on its wait list. */
export interface Shard<T> {
  queue: ShardQueue<T>;
  waiter: QueueWaiter;
}

/**
 * The shard of a task id: FNV-1a (32 bit) over the id's UTF-8 bytes, modulo the shard count.
 * Stable across processes and releases, so every node routes an id to the same shard.
 */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * A queue spread over N shards, each an ordinary Redis queue under its own hash tag
 * (`{queue:<name>:s<i>}`), so a Redis Cluster spreads the queue's keys and load over its masters.
 *
 * - A task goes to the shard of its id (see shardOf). Ids a caller does not give are random
 *   UUIDs, so tasks spread evenly; an id a caller gives always lands on the same shard, so
 *   duplicate and finished checks, complete, fail, extend and isFinished stay one round trip.
 * - Dequeue tries the shards one by one from a starting shard that rotates on every call (fair
 *   draining), and stops as soon as it has `max` tasks.
 * - With nothing ready it blocks on every shard's wait list at once (one BLMOVE per shard, each
 *   on its own connection, shared by all waits on that shard in this process): no polling, and
 *   no cross-slot command, which a Cluster would refuse. The first shard that gets work ends the
 *   other waits.
 * - FIFO holds per shard, not across shards. Stats and recoverStalled add up over shards;
 *   deadLetters interleaves the shards' lists (newest first within each shard).
 */
export class ShardedRedisQueue<T> extends BaseQueue<T> {
  private next = 0;

  constructor(
    name: string,
    options: ResolvedQueueOptions,
    private readonly ctx: BackendContext,
    private readonly shards: Array<Shard<T>>,
  ) {
    super(name, options, ctx.clock);
  }

  protected assertOpen(): void {
    this.ctx.assertOpen();
  }

  protected async addTasks(tasks: PreparedTask[]): Promise<EnqueueResult[]> {
    const groups = new Map<number, number[]>();
    tasks.forEach((t, i) => {
      const s = shardOf(t.id, this.shards.length);
      const group = groups.get(s);
      if (group) group.push(i);
      else groups.set(s, [i]);
    });
    const results = new Array<EnqueueResult>(tasks.length);
    await Promise.all(
      [...groups].map(async ([s, indexes]) => {
        const replies = await this.shards[s]!.queue.add(indexes.map((i) => tasks[i]!));
        indexes.forEach((i, j) => (results[i] = replies[j]!));
      }),
    );
    return results;
  }

  protected async leaseTasks(max: number, waitMs: number): Promise<Lease<T>[]> {
    const giveUpAt = this.clock.now() + waitMs;
    for (;;) {
      if (this.ctx.closed) return [];
      const { leases, nextDue } = await this.sweep(max, giveUpAt);
      if (leases.length > 0) return leases;
      const now = this.clock.now();
      const remaining = giveUpAt - now;
      if (remaining <= 0 || this.ctx.closed) return [];
      const wait = nextDue >= 0 ? Math.min(remaining, Math.max(1, nextDue - now)) : remaining;
      const stop = new AbortController();
      setMaxListeners(this.shards.length + 10, stop.signal);
      const waits = this.shards.map((s, i) => s.waiter.wait(wait, stop.signal).then((delivery) => ({ i, delivery })));
      try {
        await Promise.race(waits);
      } finally {
        stop.abort();
      }
      // Shards that delivered in the same moment each hold a task leased for this call: keep them all.
      const delivered: Lease<T>[] = [];
      for (const { i, delivery } of await Promise.all(waits)) {
        if (delivery !== undefined) delivered.push(this.shards[i]!.queue.deliveredLease(delivery));
      }
      if (delivered.length > 0) return delivered;
    }
  }

  protected completeLease(lease: Lease<T>): Promise<boolean> {
    return this.shardFor(lease.id).completeOne(lease);
  }

  protected failLease(lease: Lease<T>, decision: FailDecision): Promise<boolean> {
    return this.shardFor(lease.id).failOne(lease, decision);
  }

  protected extendLease(lease: Lease<T>, ms: number): Promise<boolean> {
    return this.shardFor(lease.id).extendOne(lease, ms);
  }

  protected checkFinished(id: string): Promise<boolean> {
    return this.shardFor(id).finished(id);
  }

  /** See Queue.recoverStalled: the sum over shards. */
  async recoverStalled(): Promise<number> {
    this.assertOpen();
    const counts = await Promise.all(this.shards.map((s) => s.queue.recoverStalled()));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** See Queue.stats: the sum over shards. */
  async stats(): Promise<QueueStats> {
    this.assertOpen();
    const all = await Promise.all(this.shards.map((s) => s.queue.stats()));
    const total: QueueStats = { waiting: 0, active: 0, delayed: 0, dead: 0 };
    for (const s of all) {
      total.waiting += s.waiting;
      total.active += s.active;
      total.delayed += s.delayed;
      total.dead += s.dead;
    }
    return total;
  }

  protected async listDead(limit: number): Promise<Task<T>[]> {
    const lists = await Promise.all(this.shards.map((s) => s.queue.dead(limit)));
    const merged: Task<T>[] = [];
    for (let i = 0; merged.length < limit && lists.some((l) => i < l.length); i++) {
      for (const list of lists) if (i < list.length && merged.length < limit) merged.push(list[i]!);
    }
    return merged;
  }

  private shardFor(id: string): ShardQueue<T> {
    return this.shards[shardOf(id, this.shards.length)]!.queue;
  }

  // One pass over the shards from a rotating start; the earliest due time of any delayed task.
  private async sweep(max: number, idleUntil: number): Promise<{ leases: Lease<T>[]; nextDue: number }> {
    const n = this.shards.length;
    const start = this.next;
    this.next = (this.next + 1) % n;
    const leases: Lease<T>[] = [];
    let nextDue = -1;
    for (let i = 0; i < n && leases.length < max; i++) {
      const got = await this.shards[(start + i) % n]!.queue.leaseOnce(max - leases.length, idleUntil);
      leases.push(...got.leases);
      if (got.nextDue >= 0 && (nextDue < 0 || got.nextDue < nextDue)) nextDue = got.nextDue;
    }
    return { leases, nextDue };
  }
}
