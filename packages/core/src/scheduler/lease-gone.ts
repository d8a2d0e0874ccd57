import { LockLostError, TaskCancelledError } from '../errors/index.js';
import type { Queue } from '../interfaces/index.js';
import { leaseResource } from './lease-keeper.js';

/** Why a lease this node held is gone, as a running task's interruption reports it. */
export type LeaseGone = { kind: 'cancelled'; reason: TaskCancelledError } | { kind: 'lost'; reason: LockLostError };

/**
 * Asks the queue why task `id` is no longer this node's after the store refused its lease: a
 * cancellation is reported as such (TaskCancelledError), anything else as a lost lease
 * (LockLostError with `lostBecause`). A backend without outcomes, or one that cannot answer now,
 * leaves it a lost lease.
 */
export async function whyLeaseGone(queue: Queue<unknown>, id: string, lostBecause: string): Promise<LeaseGone> {
  try {
    const outcome = await queue.outcome(id);
    if (outcome?.state === 'cancelled') return { kind: 'cancelled', reason: new TaskCancelledError(id, outcome.reason) };
  } catch {
    // Not supported, or unreachable: what is known is that the lease is gone.
  }
  return { kind: 'lost', reason: new LockLostError(leaseResource(queue.name, id), lostBecause) };
}
