import { Deque } from './deque.js';

/**
 * Ids of completed tasks with their completion time (clock ms), forgotten once older than the
 * caller's retention. Completions arrive in time order, so expired ids sit at the front of the
 * completion log and pruning pops them off in amortized O(1) per id, without walking a Map iterator
 * (which allocates on every call even when nothing is due).
 */
export class FinishedIds {
  /** id -> latest completion time. */
  private readonly at = new Map<string, number>();
  /** Completion log in arrival order: ids and their times, side by side. */
  private readonly ids = new Deque<string>();
  private readonly times = new Deque<number>();

  /** Records that `id` completed at `now`. */
  record(id: string, now: number): void {
    this.at.set(id, now);
    this.ids.pushBack(id);
    this.times.pushBack(now);
  }

  /** True when `id` completed less than `retainMs` ago; forgets it (and older ids) otherwise. */
  has(id: string, now: number, retainMs: number): boolean {
    this.prune(now, retainMs);
    const at = this.at.get(id);
    if (at === undefined) return false;
    if (at + retainMs > now) return true;
    // Handles with different retainFinishedMs can leave an expired entry behind a live one.
    this.at.delete(id);
    return false;
  }

  /** Forgets the ids that completed `retainMs` or more before `now`, oldest first, up to the first live one. */
  prune(now: number, retainMs: number): void {
    for (let t = this.times.peek(); t !== undefined && t + retainMs <= now; t = this.times.peek()) {
      this.times.shift();
      const id = this.ids.shift()!;
      // A later completion of the same id (after it expired and ran again) has its own log entry.
      if (this.at.get(id) === t) this.at.delete(id);
    }
  }
}
