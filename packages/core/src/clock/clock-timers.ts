import { setClockTimeout, type Clock } from './clock.js';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A timer of a ClockTimers set. */
export interface SharedTimer {
  /** Clock time (ms) the timer was armed for. */
  readonly at: number;
  /** Stops it; idempotent. */
  cancel(): void;
}

/**
 * Many timers on one clock timer: the set arms a single `setClockTimeout` for its earliest entry
 * and re-arms it as entries come and go, so a thousand idle waits cost one pending timer, not a
 * thousand. Entries due at the same time run in the order they were added. Cancelled entries are
 * dropped lazily (when they reach the front, or all at once when they outnumber the live ones), so
 * cancel is O(1) amortized and the heap never holds more than about twice the live timers.
 */
export class ClockTimers {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private armedAt = Infinity;
  private cancelArmed: () => void = () => undefined;
  private live = 0;
  private dead = 0;

  constructor(private readonly clock: Clock) {}

  /** Number of timers armed and not cancelled. */
  get size(): number {
    return this.live;
  }

  /** Runs `fn` at clock time `at` (ms; at once, on the next timer turn, when it has passed) unless cancelled. */
  at(at: number, fn: () => void): SharedTimer {
    const entry: Entry = { at, seq: this.seq++, fn, cancelled: false };
    this.push(entry);
    this.live++;
    if (at < this.armedAt) this.arm();
    return {
      at,
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.live--;
        this.dead++;
        // the last live timer gone: no clock timer stays armed for nothing
        if (this.live === 0) this.clear();
        else if (this.dead > 64 && this.dead > this.live) this.compact();
      },
    };
  }

  /** Runs `fn` after `ms` of clock time unless cancelled. */
  after(ms: number, fn: () => void): SharedTimer {
    return this.at(this.clock.now() + Math.max(0, ms), fn);
  }

  /** Cancels every timer. */
  clear(): void {
    for (const entry of this.heap) entry.cancelled = true;
    this.heap.length = 0;
    this.live = 0;
    this.dead = 0;
    this.cancelArmed();
    this.cancelArmed = () => undefined;
    this.armedAt = Infinity;
  }

  // Drops the cancelled entries and rebuilds the heap (equal times keep their order by seq).
  private compact(): void {
    const entries = this.heap.filter((e) => !e.cancelled);
    this.heap.length = 0;
    this.dead = 0;
    for (const entry of entries) this.push(entry);
    if (this.heap[0]?.at !== this.armedAt) this.arm();
  }

  private arm(): void {
    this.cancelArmed();
    const first = this.heap[0];
    if (!first) {
      this.armedAt = Infinity;
      this.cancelArmed = () => undefined;
      return;
    }
    this.armedAt = first.at;
    this.cancelArmed = setClockTimeout(this.clock, first.at - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.armedAt = Infinity;
    this.cancelArmed = () => undefined;
    const now = this.clock.now();
    const due: Entry[] = [];
    while (this.heap.length > 0 && (this.heap[0]!.cancelled || this.heap[0]!.at <= now)) {
      const entry = this.pop()!;
      if (entry.cancelled) this.dead--;
      else {
        entry.cancelled = true;
        this.live--;
        due.push(entry);
      }
    }
    this.arm();
    for (const entry of due) entry.fn();
  }

  private push(entry: Entry): void {
    this.heap.push(entry);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.heap.length && this.less(l, best)) best = l;
        if (r < this.heap.length && this.less(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a]!;
    this.heap[a] = this.heap[b]!;
    this.heap[b] = t;
  }
}
