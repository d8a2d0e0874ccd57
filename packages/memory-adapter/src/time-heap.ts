interface Entry<T> {
  at: number;
  seq: number;
  value: T;
}

/**
 * A min-heap of values keyed by a clock time (ms); equal times come out in insertion order, so
 * delayed tasks due at the same moment become ready in the order they were delayed.
 */
export class TimeHeap<T> {
  private readonly entries: Array<Entry<T>> = [];
  private seq = 0;

  /** Number of values. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds `value`, due at clock time `at` (ms). */
  push(at: number, value: T): void {
    this.entries.push({ at, seq: this.seq++, value });
    this.up(this.entries.length - 1);
  }

  /** The earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.entries[0]?.at;
  }

  /** Removes and returns the earliest value; undefined when empty. */
  pop(): T | undefined {
    const top = this.entries[0];
    if (!top) return undefined;
    const last = this.entries.pop()!;
    if (this.entries.length > 0) {
      this.entries[0] = last;
      this.down(0);
    }
    return top.value;
  }

  private less(a: number, b: number): boolean {
    const x = this.entries[a]!;
    const y = this.entries[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.entries[a]!;
    this.entries[a] = this.entries[b]!;
    this.entries[b] = t;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.entries.length && this.less(l, best)) best = l;
      if (r < this.entries.length && this.less(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}
