/**
 * A double-ended queue on a growable ring buffer: push and shift at both ends in O(1), so a
 * ready list of any length stays cheap (Array#shift is O(n)). The capacity is a power of two, so
 * positions wrap with a mask instead of a division.
 */
export class Deque<T> {
  private items: Array<T | undefined> = new Array<T | undefined>(16).fill(undefined);
  private head = 0;
  private size = 0;

  /** Number of elements. */
  get length(): number {
    return this.size;
  }

  /** Appends at the back (the end served last). */
  pushBack(value: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & (this.items.length - 1)] = value;
    this.size++;
  }

  /** Inserts at the front (the end served next). */
  pushFront(value: T): void {
    if (this.size === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = value;
    this.size++;
  }

  /** Removes and returns the front element; undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return value;
  }

  /** The front element without removing it; undefined when empty. */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  /** The element at `index` from the front (0 = front); undefined outside [0, length). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return this.items[(this.head + index) & (this.items.length - 1)];
  }

  /** Removes every element. */
  clear(): void {
    this.items = new Array<T | undefined>(16).fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  /** The elements from front to back. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.head + i) & (this.items.length - 1)] as T);
    return out;
  }

  // Copies straight into the doubled buffer (no intermediate array); filled, so the array stays packed.
  private grow(): void {
    const old = this.items;
    const mask = old.length - 1;
    const items = new Array<T | undefined>(old.length * 2).fill(undefined);
    for (let i = 0; i < this.size; i++) items[i] = old[(this.head + i) & mask];
    this.items = items;
    this.head = 0;
  }
}
