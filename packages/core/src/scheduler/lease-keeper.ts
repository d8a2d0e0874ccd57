import { setClockTimeout, type Clock } from '../clock/index.js';
import { LockLostError, TaskTimeoutError } from '../errors/index.js';
import type { Queue } from '../interfaces/index.js';
import type { InFlight } from './in-flight.js';
import { whyLeaseGone } from './lease-gone.js';

/** The resource name used in a LockLostError about a task lease. */
export function leaseResource(queue: string, taskId: string): string {
  return `queue:${queue}/task:${taskId}`;
}

/**
 * Keeps the leases of one queue's running tasks alive, without a timer per task: a single clock
 * timer wakes at the earliest moment anything is due (a renewal, a local lease expiry, a per-task
 * timeout), and each wake-up extends, in one batch, every lease that will be due within the next
 * quarter of the visibility timeout. A lease is renewed once half its time has gone, so a failed
 * extension still has about a quarter of the lease for another try.
 *
 * A lease whose extension is refused is gone: its task is interrupted with a TaskCancelledError
 * when the queue says it was cancelled, else with a LockLostError (lost). A lease whose local
 * deadline passes without a successful extension (backend unreachable) is lost. A task past its
 * `timeoutAt` is interrupted with a TaskTimeoutError.
 */
export class LeaseKeeper<T> {
  private readonly entries = new Set<InFlight<T>>();
  private armedAt = Infinity;
  private cancelTimer: () => void = () => undefined;
  private readonly renewWithinMs: number;
  private readonly batchWindowMs: number;
  private readonly retryGapMs: number;

  /**
   * @param leaseMs the queue's visibility timeout (ms): each extension asks for this much.
   * @param timeoutMs the per-task timeout (ms), for the error it reports; undefined without one.
   */
  constructor(
    private readonly queue: Queue<T>,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly timeoutMs: number | undefined,
    private readonly onError: (error: unknown, context: Record<string, unknown>) => void,
  ) {
    this.renewWithinMs = Math.max(1, Math.floor(leaseMs / 2));
    this.batchWindowMs = Math.max(0, Math.floor(leaseMs / 4));
    this.retryGapMs = Math.max(1, Math.floor(leaseMs / 10));
  }

  /** Starts watching a running task. */
  add(entry: InFlight<T>): void {
    this.entries.add(entry);
    const due = Math.min(entry.timeoutAt, entry.localDeadline - this.renewWithinMs);
    if (due < this.armedAt) this.arm(due);
  }

  /** Stops watching a task (its outcome is recorded). The timer is left to lapse on its own. */
  delete(entry: InFlight<T>): void {
    this.entries.delete(entry);
  }

  /** Extends one lease by `ms` on the handler's request; false (and the task is interrupted) when it was lost. */
  async extendOne(entry: InFlight<T>, ms: number): Promise<boolean> {
    if (entry.settled) return false;
    const requestedAt = this.clock.now();
    const seq = ++entry.extendSeq;
    const ok = await this.queue.extend(entry.lease, ms);
    if (entry.settled) return ok;
    if (!ok) {
      await this.gone(entry, 'the lease was recovered by another worker or completed');
      return false;
    }
    // A renewal sent before this request but answered after it must not undo it, and vice versa.
    if (seq === entry.extendSeq) entry.localDeadline = requestedAt + ms;
    // A shorter lease than the armed timer expects must be watched sooner.
    this.rearm(this.clock.now());
    return true;
  }

  // The store refused the lease: learn whether it was cancelled or lost before interrupting.
  /**
   * Confirms a lease that arrived past its local deadline (a late reply, a paused process, a task
   * handed over at the end of a long blocking wait) by extending it before its handler starts.
   * False, the entry interrupted as lost (or cancelled), when the store refused, the call failed,
   * or the extension's own reply came back after the deadline it set. Does not watch the entry.
   */
  async confirm(entry: InFlight<T>): Promise<boolean> {
    try {
      if (!(await this.extendOne(entry, this.leaseMs))) return false;
    } catch (error) {
      entry.interrupt('lost', error);
      return false;
    }
    if (entry.localDeadline > this.clock.now()) return true;
    entry.interrupt('lost', new LockLostError(leaseResource(this.queue.name, entry.lease.id), 'it ran out again before its extension was confirmed'));
    return false;
  }

  private async gone(entry: InFlight<T>, lostBecause: string): Promise<void> {
    const why = await whyLeaseGone(this.queue as Queue<unknown>, entry.lease.id, lostBecause);
    entry.interrupt(why.kind, why.reason);
  }

  /** Cancels the timer; entries are forgotten. */
  close(): void {
    this.cancelTimer();
    this.armedAt = Infinity;
    this.entries.clear();
  }

  private arm(due: number): void {
    this.cancelTimer();
    this.armedAt = due;
    this.cancelTimer = setClockTimeout(this.clock, due - this.clock.now(), () => {
      this.armedAt = Infinity;
      this.sweep();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    const renew: InFlight<T>[] = [];
    for (const entry of this.entries) {
      if (entry.settled) continue;
      if (entry.timeoutAt <= now) {
        entry.interrupt('timeout', new TaskTimeoutError(entry.lease.id, this.timeoutMs ?? 0));
      } else if (entry.localDeadline <= now) {
        entry.interrupt(
          'lost',
          new LockLostError(leaseResource(this.queue.name, entry.lease.id), 'its visibility timeout ran out before it could be extended'),
        );
      } else if (!entry.extending && entry.localDeadline - this.renewWithinMs <= now + this.batchWindowMs) {
        renew.push(entry);
      }
    }
    if (renew.length > 0) void this.renewAll(renew, now);
    this.rearm(now);
  }

  private async renewAll(batch: InFlight<T>[], requestedAt: number): Promise<void> {
    for (const entry of batch) entry.extending = true;
    await Promise.all(
      batch.map(async (entry) => {
        const seq = ++entry.extendSeq;
        try {
          const ok = await this.queue.extend(entry.lease, this.leaseMs);
          if (entry.settled) return;
          if (ok && seq === entry.extendSeq) entry.localDeadline = requestedAt + this.leaseMs;
          else if (!ok) await this.gone(entry, 'the lease was recovered by another worker');
        } catch (error) {
          // Not lost yet: the local deadline decides that; the next sweep tries again.
          if (!entry.settled) this.onError(error, { queue: this.queue.name, task: entry.lease.id, during: 'extend' });
        } finally {
          entry.extending = false;
        }
      }),
    );
    this.rearm(this.clock.now());
  }

  private rearm(now: number): void {
    let timeout = Infinity;
    let expiry = Infinity;
    let renewal = Infinity;
    for (const entry of this.entries) {
      if (entry.settled) continue;
      timeout = Math.min(timeout, entry.timeoutAt);
      expiry = Math.min(expiry, entry.localDeadline);
      if (!entry.extending) renewal = Math.min(renewal, entry.localDeadline - this.renewWithinMs);
    }
    // A renewal that is already overdue (its extension failed) is retried after a short gap, not in a busy loop.
    const due = Math.min(timeout, expiry, renewal === Infinity ? Infinity : Math.max(renewal, now + this.retryGapMs));
    if (due < this.armedAt) this.arm(due);
  }
}
