import { Deque } from './deque.js';

/** What the ready order needs of a stored task. */
export interface ReadyEntry {
  readonly priority: number;
  /** 'waiting' while the entry is live in the ready order; anything else makes it stale. */
  readonly state: string;
  /** Position within its priority, set by the order: grows front to back (pushFront takes smaller ones). */
  seq: number;
}

/**
 * The waiting tasks of one queue in the order they are leased: highest priority first, and within
 * one priority a deque (recovered tasks pushed at the front, everything else at the back).
 *
 * Priority 0 has a deque of its own that is never dropped, and while no other priority has
 * tasks `shift` goes straight to it, so a queue that never uses priorities pays one length check.
 *
 * A task that stops waiting without being shifted (cancelled, removed) is left in its deque and
 * skipped when reached: the caller changes its state and calls `forget`. `size` counts live
 * entries only.
 */
export class ReadyOrder<E extends ReadyEntry> {
  private readonly zero = new Deque<E>();
  /** Deques of the priorities other than 0, created on first use and dropped once found empty. */
  private readonly levels = new Map<number, Deque<E>>();
  /** Every priority with a deque (0 always), highest first. */
  private readonly order: number[] = [0];
  private live = 0;
  private backSeq = 0;
  private frontSeq = 0;

  /** Number of live (waiting) entries. */
  get size(): number {
    return this.live;
  }

  /** Appends `entry` at the back of its priority. */
  pushBack(entry: E): void {
    entry.seq = ++this.backSeq;
    (entry.priority === 0 ? this.zero : this.level(entry.priority)).pushBack(entry);
    this.live++;
  }

  /** Inserts `entry` at the front of its priority (served next among its priority). */
  pushFront(entry: E): void {
    entry.seq = --this.frontSeq;
    (entry.priority === 0 ? this.zero : this.level(entry.priority)).pushFront(entry);
    this.live++;
  }

  /** Removes and returns the next live entry; undefined when none is waiting. */
  shift(): E | undefined {
    if (this.live === 0) return undefined;
    if (this.order.length === 1) return this.shiftFrom(this.zero);
    for (let i = 0; i < this.order.length; i++) {
      const priority = this.order[i]!;
      const deque = priority === 0 ? this.zero : this.levels.get(priority)!;
      const entry = this.shiftFrom(deque);
      if (entry !== undefined) return entry;
      if (priority !== 0) {
        this.levels.delete(priority);
        this.order.splice(i--, 1);
      }
    }
    return undefined;
  }

  /** A live entry left the order without being shifted (its state is no longer 'waiting'). */
  forget(): void {
    this.live--;
  }

  /** Drops every entry, live or stale. */
  clear(): void {
    this.zero.clear();
    this.levels.clear();
    this.order.length = 1;
    this.live = 0;
  }

  /**
   * The deques from highest to lowest priority, each front to back, stale entries included
   * (skip what is not 'waiting'); for listings. Changing the order while iterating is not allowed.
   */
  *deques(): IterableIterator<[priority: number, deque: Deque<E>]> {
    for (const priority of this.order) yield [priority, priority === 0 ? this.zero : this.levels.get(priority)!];
  }

  private shiftFrom(deque: Deque<E>): E | undefined {
    for (let entry = deque.shift(); entry !== undefined; entry = deque.shift()) {
      if (entry.state === 'waiting') {
        this.live--;
        return entry;
      }
    }
    return undefined;
  }

  private level(priority: number): Deque<E> {
    let deque = this.levels.get(priority);
    if (deque === undefined) {
      deque = new Deque<E>();
      this.levels.set(priority, deque);
      // Few distinct priorities are live at once: a sorted insert is cheaper than a heap.
      let i = 0;
      while (i < this.order.length && this.order[i]! > priority) i++;
      this.order.splice(i, 0, priority);
    }
    return deque;
  }
}
