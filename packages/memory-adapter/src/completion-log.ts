import { Deque } from './deque.js';

/**
 * Completed task ids with their completion times (clock ms), in completion order. Completions
 * arrive in time order, so the ids due for forgetting sit at the front and pruning pops them in
 * amortized O(1) each, without allocating anything while nothing is due.
 */
export class CompletionLog {
  private readonly ids = new Deque<string>();
  private readonly times = new Deque<number>();

  /** Appends `id`, completed at `at`. */
  push(id: string, at: number): void {
    this.ids.pushBack(id);
    this.times.pushBack(at);
  }

  /** Completion time of the oldest entry; undefined when empty. */
  peekTime(): number | undefined {
    return this.times.peek();
  }

  /** Removes the oldest entry and returns its id; undefined when empty. */
  shift(): string | undefined {
    this.times.shift();
    return this.ids.shift();
  }
}
