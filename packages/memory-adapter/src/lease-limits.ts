import type { ResolvedLimits } from '@baton/core/adapter';

/** What the limiter reads of the active leases: each one's deadline (clock ms). */
interface Leased {
  readonly deadline: number;
}

/**
 * The shared state behind QueueOptions.limits for one queue (see QueueStore.lease): the rate
 * window and the count of live leases, judged at the caller's `now`. One per QueueState, so
 * every handle and backend on the store is held to the same limits.
 */
export class LeaseLimiter {
  /** Clock time (ms) the current rate window opened; -Infinity before the first lease. */
  private windowStart = -Infinity;
  /** Leases started in the current window. */
  private started = 0;

  /** How many of `max` leases `limits` allow at `now`, given the queue's active leases (0 or more). */
  allowance(max: number, now: number, limits: ResolvedLimits, active: Iterable<Leased>): number {
    let n = max;
    if (limits.concurrency !== undefined) n = Math.min(n, limits.concurrency - live(active, now));
    if (limits.rate !== undefined) n = Math.min(n, limits.rate.max - this.startedIn(now, limits.rate.perMs));
    return Math.max(0, n);
  }

  /** Counts `count` leases started at `now`; the first lease after a window ended opens the next one. */
  record(count: number, now: number, limits: ResolvedLimits): void {
    if (count === 0 || limits.rate === undefined) return;
    if (now >= this.windowStart + limits.rate.perMs) {
      this.windowStart = now;
      this.started = 0;
    }
    this.started += count;
  }

  /**
   * When the limits that hold leasing back at `now` may lift by the clock alone (clock ms): the
   * rate window's end, or the earliest live lease deadline when concurrency is full (a
   * completion frees a slot sooner, and wakes waiters itself); the later of the two when both
   * hold. Undefined when nothing holds leasing back.
   */
  wakeAt(now: number, limits: ResolvedLimits, active: Iterable<Leased>): number | undefined {
    let at: number | undefined;
    if (limits.rate !== undefined && this.startedIn(now, limits.rate.perMs) >= limits.rate.max) at = this.windowStart + limits.rate.perMs;
    if (limits.concurrency !== undefined) {
      let count = 0;
      let earliest = Infinity;
      for (const lease of active) {
        if (lease.deadline <= now) continue;
        count++;
        earliest = Math.min(earliest, lease.deadline);
      }
      if (count >= limits.concurrency) at = Math.max(at ?? earliest, earliest);
    }
    return at;
  }

  private startedIn(now: number, perMs: number): number {
    return now < this.windowStart + perMs ? this.started : 0;
  }
}

/** Leases whose deadline is after `now`: an expired lease frees its slot at its deadline. */
function live(active: Iterable<Leased>, now: number): number {
  let count = 0;
  for (const lease of active) if (lease.deadline > now) count++;
  return count;
}
