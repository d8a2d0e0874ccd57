/**
 * What a run did, line by line (steps, faults, enqueues, handler runs, outcomes), with the step and
 * simulated time of each. Two runs of one seed must produce the same trace: the determinism check
 * compares them, and a failure report prints the end of it.
 */
export class Trace {
  private readonly lines: string[] = [];
  /** The step being run; -1 before the first. */
  step = -1;
  /** The phase being run. */
  phase: 'safety' | 'liveness' = 'safety';

  /** @param now the simulated time (ms); lines show it relative to `origin`. */
  constructor(
    private readonly now: () => number,
    private readonly origin: number,
  ) {}

  /** Adds a line at the current step and time. */
  add(line: string): void {
    const where = this.phase === 'safety' ? `step ${this.step}` : `heal`;
    this.lines.push(`[${where} +${this.now() - this.origin}ms] ${line}`);
  }

  /** Number of lines so far. */
  get length(): number {
    return this.lines.length;
  }

  /** Every line. */
  all(): readonly string[] {
    return this.lines;
  }

  /** The last `n` lines, joined for printing. */
  tail(n: number): string {
    return this.lines.slice(-n).join('\n');
  }

  /** A short fingerprint of the whole trace (FNV-1a over every line), for comparing runs. */
  digest(): string {
    let h = 0x811c9dc5;
    for (const line of this.lines) {
      for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193) >>> 0;
      h = Math.imul(h ^ 10, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  }

  /** The first line where `other` differs from this trace, or undefined when they are equal. */
  firstDifference(other: Trace): { line: number; ours: string | undefined; theirs: string | undefined } | undefined {
    const a = this.lines;
    const b = other.lines;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return { line: i, ours: a[i], theirs: b[i] };
    }
    return undefined;
  }
}
