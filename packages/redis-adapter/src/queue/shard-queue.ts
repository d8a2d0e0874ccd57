import type { EnqueueResult, FailDecision, Lease, PreparedTask, Task } from '@baton/core';
import { RedisQueue } from './redis-queue.js';

/**
 * One shard of a sharded queue: an ordinary RedisQueue on its own hash tag, with its primitive
 * steps opened to the ShardedRedisQueue that routes to it (arguments were checked there).
 */
export class ShardQueue<T> extends RedisQueue<T> {
  /** Stores prepared tasks (one round trip per 10,000). */
  add(tasks: PreparedTask[]): Promise<EnqueueResult[]> {
    return this.addTasks(tasks);
  }

  /**
   * One lease attempt without waiting; `nextDue` is the earliest delayed task's due time (ms, -1: none).
   * With `idleUntil` (ms), a call that finds nothing registers the shard's waiter as idle until then.
   */
  leaseOnce(max: number, idleUntil = 0): Promise<{ leases: Lease<T>[]; nextDue: number }> {
    return this.leaseNow(max, idleUntil);
  }

  /** See RedisQueue.completeLease. */
  completeOne(lease: Lease<T>): Promise<boolean> {
    return this.completeLease(lease);
  }

  /** See RedisQueue.failLease. */
  failOne(lease: Lease<T>, decision: FailDecision): Promise<boolean> {
    return this.failLease(lease, decision);
  }

  /** See RedisQueue.extendLease. */
  extendOne(lease: Lease<T>, ms: number): Promise<boolean> {
    return this.extendLease(lease, ms);
  }

  /** See RedisQueue.checkFinished. */
  finished(id: string): Promise<boolean> {
    return this.checkFinished(id);
  }

  /** See RedisQueue.listDead. */
  dead(limit: number): Promise<Task<T>[]> {
    return this.listDead(limit);
  }
}
