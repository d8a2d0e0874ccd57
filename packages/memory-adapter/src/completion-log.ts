import { Deque } from './deque.js';

/**
 * What a completed id maps to while it is retained: its completion time (clock ms). One mark is
 * shared by every task completed at the same clock ms, so a retained id costs a map entry and no
 * object of its own (a record per id kept for the whole retention window made every collection
 * copy and promote it).
 */
export interface FinishedMark {
  readonly state: 'finished';
  readonly finishedAt: number;
}

/**
 * Completed task ids with their finished marks, in completion order. Completions arrive in time
 * order, so the ids due for forgetting sit at the front and pruning pops them in amortized O(1)
 * each, without allocating anything while nothing is due.
 */
export class CompletionLog {
  private readonly ids = new Deque<string>();
  private readonly marks = new Deque<FinishedMark>();

  /** Appends `id`, completed at `mark.finishedAt`. */
  push(id: string, mark: FinishedMark): void {
    this.ids.pushBack(id);
    this.marks.pushBack(mark);
  }

  /** Mark of the oldest entry; undefined when empty. */
  peekMark(): FinishedMark | undefined {
    return this.marks.peek();
  }

  /** Removes the oldest entry and returns its id; undefined when empty. */
  shift(): string | undefined {
    this.marks.shift();
    return this.ids.shift();
  }
}
