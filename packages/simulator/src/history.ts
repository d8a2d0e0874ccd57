import type { FaultKind } from './fault-plan.js';

/** One delivery of a task to a handler, as the simulator saw it. */
export interface Attempt {
  readonly task: string;
  readonly queue: string;
  /** The task's attempt number (1 for the first delivery). */
  readonly attempt: number;
  readonly node: string;
  /** Which life of the node (0 before its first restart). */
  readonly incarnation: number;
  readonly startedAt: number;
  /** How the handler ended: undefined while it runs (or if its node died first). */
  outcome?: 'ok' | 'threw';
}

/** When a fault was in force, and on which node (none for a clock jump: every node). */
export interface FaultWindow {
  readonly kind: FaultKind;
  readonly node: string | undefined;
  readonly from: number;
  /** Infinity while in force. */
  to: number;
}

/** A broken invariant: which, what, and where in the run. */
export interface Violation {
  readonly invariant: string;
  readonly message: string;
}

/**
 * What happened in a run that the invariants judge: tasks enqueued, attempts and their outcomes,
 * completions the store accepted, fault windows, lock fences and leadership terms. Checks that are
 * best made when an event happens (a completion from a stale attempt, a second success) flag
 * their violation here at once; the built-in invariants report the first.
 */
export class History {
  /** Tasks enqueued by the workload: id → queue. */
  readonly enqueued = new Map<string, string>();
  /** Attempts per task id, in start order. */
  readonly attempts = new Map<string, Attempt[]>();
  /** Completions the store accepted per task id (node and attempt number). */
  readonly completions = new Map<string, Array<{ node: string; attempt: number }>>();
  /** Every fault so far, healed or not. */
  readonly faults: FaultWindow[] = [];
  /** Holder of each `<resource>#<fence>` granted. */
  readonly fences = new Map<string, string>();
  /** Leader per `<election>#<term>`. */
  readonly leaders = new Map<string, string>();
  /** Attempts started in the run (the task-runs the figures count). */
  runs = 0;
  private readonly flagged: Violation[] = [];

  constructor(private readonly now: () => number) {}

  /** Records a violation found at the moment of an event. */
  flag(invariant: string, message: string): void {
    this.flagged.push({ invariant, message });
  }

  /** The first violation flagged for `invariant`, if any. */
  flaggedFor(invariant: string): Violation | undefined {
    return this.flagged.find((v) => v.invariant === invariant);
  }

  /** A handler started; a task that already completed must never be handed out again. */
  started(attempt: Attempt): void {
    this.runs++;
    const list = this.attempts.get(attempt.task) ?? [];
    list.push(attempt);
    this.attempts.set(attempt.task, list);
    if (this.completions.has(attempt.task)) {
      this.flag('no-unexplained-rerun', `task ${attempt.task} started on ${attempt.node} (attempt ${attempt.attempt}) after it had completed`);
    }
  }

  /** A handler resolved: a second success needs a fault on the first one's node (or a clock jump) to explain it. */
  succeeded(attempt: Attempt): void {
    attempt.outcome = 'ok';
    for (const earlier of this.attempts.get(attempt.task) ?? []) {
      if (earlier === attempt || earlier.outcome !== 'ok') continue;
      if (!this.explained(earlier, attempt)) {
        this.flag(
          'no-unexplained-rerun',
          `task ${attempt.task} succeeded twice (attempt ${earlier.attempt} on ${earlier.node}, attempt ${attempt.attempt} on ${attempt.node}) and no fault explains the second run`,
        );
      }
    }
  }

  /** The store accepted a completion: only once per task, and only from the latest attempt handed out. */
  completed(task: string, node: string, attempt: number): void {
    const list = this.completions.get(task) ?? [];
    list.push({ node, attempt });
    this.completions.set(task, list);
    if (list.length > 1)
      this.flag('no-unexplained-rerun', `task ${task} was completed twice (by ${list.map((c) => `${c.node} attempt ${c.attempt}`).join(' and ')})`);
    const newer = (this.attempts.get(task) ?? []).find((a) => a.attempt > attempt);
    if (newer !== undefined) {
      this.flag(
        'no-unexplained-rerun',
        `task ${task} was completed by attempt ${attempt} on ${node} after attempt ${newer.attempt} had been handed to ${newer.node}: the store accepted a stale lease`,
      );
    }
  }

  /** A fault began; returns its window so that healing can close it. */
  faultBegan(kind: FaultKind, node: string | undefined): FaultWindow {
    const window: FaultWindow = { kind, node, from: this.now(), to: Infinity };
    this.faults.push(window);
    return window;
  }

  /**
   * A lock was granted with `fence`: one fence never goes to two holders. (Grants may be seen out
   * of order: a late reply delivers an old grant after newer ones; the fenced resource refuses it.)
   */
  fenceGranted(resource: string, fence: number, holder: string): void {
    const key = `${resource}#${fence}`;
    const other = this.fences.get(key);
    if (other === undefined) this.fences.set(key, holder);
    else if (other !== holder) this.flag('one-lock-holder', `lock ${resource} was granted with fence ${fence} to both ${other} and ${holder}`);
  }

  /** `node` leads `election` in term `term`. */
  leading(election: string, term: number, node: string): void {
    const key = `${election}#${term}`;
    const other = this.leaders.get(key);
    if (other === undefined) this.leaders.set(key, node);
    else if (other !== node) this.flag('one-leader-per-term', `${other} and ${node} both lead ${election} in term ${term}`);
  }

  // A fault on either attempt's node (or a clock jump) between the two starts: attempt numbers
  // and start order can differ when a delivery reached a paused node late.
  private explained(a: Attempt, b: Attempt): boolean {
    const from = Math.min(a.startedAt, b.startedAt);
    const to = Math.max(a.startedAt, b.startedAt);
    return this.faults.some((f) => (f.node === undefined || f.node === a.node || f.node === b.node) && f.from <= to && f.to >= from);
  }
}
