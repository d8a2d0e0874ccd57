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
  /**
   * The result (JSON text) of a task completed with one. Such a task gets a mark of its own, so
   * only tasks that return something pay for an object per id.
   */
  readonly result?: string | undefined;
}

/**
 * Completed task ids with their finished marks, in completion order (or, with M another mark
 * type, any ids with the time they ended). Completions arrive in time
 * order, so the ids due for forgetting sit at the front and pruning pops them in amortized O(1)
 * each, without allocating anything while nothing is due. Consecutive ids with the same mark
 * share one mark entry and a count (a mark covers a whole clock ms of completions).
 */
export class CompletionLog<M extends { readonly finishedAt: number } = FinishedMark> {
  private readonly ids = new Deque<string>();
  private readonly marks = new Deque<M>();
  /** How many of the ids belong to each mark in `marks`, front to back, except the newest. */
  private readonly runs = new Deque<number>();
  /** How many ids belong to the newest mark. */
  private lastRun = 0;
  private lastMark: M | undefined;
  /** How many ids of the oldest mark were already removed. */
  private frontTaken = 0;

  /** Appends `id`, completed at `mark.finishedAt`. */
  push(id: string, mark: M): void {
    this.ids.pushBack(id);
    if (mark === this.lastMark) {
      this.lastRun++;
      return;
    }
    if (this.lastMark !== undefined) this.runs.pushBack(this.lastRun);
    this.marks.pushBack(mark);
    this.lastMark = mark;
    this.lastRun = 1;
  }

  /** Mark of the oldest entry; undefined when empty. */
  peekMark(): M | undefined {
    return this.marks.peek();
  }

  /** Removes the oldest entry and returns its id; undefined when empty. */
  shift(): string | undefined {
    const id = this.ids.shift();
    if (id === undefined) return undefined;
    this.frontTaken++;
    if (this.marks.length > 1) {
      if (this.frontTaken === this.runs.peek()) {
        this.runs.shift();
        this.marks.shift();
        this.frontTaken = 0;
      }
    } else if (this.frontTaken === this.lastRun) {
      this.marks.shift();
      this.lastMark = undefined;
      this.lastRun = 0;
      this.frontTaken = 0;
    }
    return id;
  }
}
