import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { InvalidArgumentError } from '../errors/index.js';
import { assertPositiveInt } from '../validation/index.js';

/**
 * When a periodic job fires, as clock times (ms). Every node computes the same fire times from
 * its own clock, and each fire time has one tick number, which is the id of its task in the
 * job's queue: that is what lets every node enqueue it and only one run it.
 */
export interface FireSchedule {
  /** Says what the schedule is, for messages. */
  readonly description: string;
  /** Shortest time between two fire times seen (ms), for default lease lengths. */
  readonly shortestGapMs: number;
  /** Longest time between two fire times seen (ms), for how long finished ticks are remembered. */
  readonly longestGapMs: number;
  /** The first fire time a node that starts at `now` takes care of (may be before now: see each schedule). */
  first(now: number): number | undefined;
  /**
   * The fire times due by `now`, from `next` on (at most `keep`, the latest ones), and the first
   * fire time after `now` (undefined: none any more).
   */
  due(next: number, now: number, keep: number): { due: number[]; next: number | undefined };
  /** The tick number of a fire time: the id of its task. */
  tick(fireTime: number): number;
}

/**
 * Every `intervalMs`: fire time k·interval is tick k (the ids interval jobs have always used). A
 * node that starts mid-tick takes care of the tick that is under way, so a job runs at start.
 */
export class IntervalSchedule implements FireSchedule {
  readonly description: string;
  readonly shortestGapMs: number;
  readonly longestGapMs: number;

  /** Throws InvalidArgumentError naming `intervalMs` unless it is an integer >= 1. */
  constructor(readonly intervalMs: number) {
    assertPositiveInt('intervalMs', intervalMs);
    this.description = `every ${intervalMs} ms`;
    this.shortestGapMs = intervalMs;
    this.longestGapMs = intervalMs;
  }

  first(now: number): number {
    return Math.floor(now / this.intervalMs) * this.intervalMs;
  }

  due(next: number, now: number, keep: number): { due: number[]; next: number } {
    const i = this.intervalMs;
    const last = Math.floor(now / i);
    const from = Math.max(Math.ceil(next / i), last - keep + 1);
    const due: number[] = [];
    for (let k = from; k <= last; k++) due.push(k * i);
    return { due, next: Math.max(next, (last + 1) * i) };
  }

  tick(fireTime: number): number {
    return Math.floor(fireTime / this.intervalMs);
  }
}

/** Fire times a CronSchedule looks at to learn its gaps, and the span it stops at. */
const SCAN_FIRES = 12;
const SCAN_SPAN_MS = 400 * 86_400_000;
/** Most fire times one `due` call steps over before it resumes from now. */
const MAX_STEPS = 1_000;

/**
 * A cron expression (5 fields, or 6 with seconds first) read in time zone `tz`, parsed by
 * cron-parser: the tick of a fire time is the fire time itself (ms). A node that starts takes
 * care of fire times from now on; fire times that passed before it started are not run.
 *
 * Daylight saving time, as cron-parser computes it (the rule of the classic Unix cron): a local
 * time that does not exist (spring forward) fires when the clocks have moved on, one gap later
 * (02:30 runs at 03:30 on the day Paris skips 02:00–03:00); in the hour that happens twice (fall
 * back), a job with fixed hours fires once, at the first occurrence, while a job with `*` in the
 * hour field fires at every real occurrence (each is a distinct instant, so a distinct tick).
 */
export class CronSchedule implements FireSchedule {
  readonly description: string;
  readonly shortestGapMs: number;
  readonly longestGapMs: number;
  private readonly cron: CronExpression;

  /**
   * Throws InvalidArgumentError naming `schedule` for an expression that is not 5 or 6 fields
   * cron-parser accepts, and naming `options.tz` for a time zone the runtime does not know.
   * @param tz an IANA time zone name such as 'Europe/Paris'.
   * @param now the clock time (ms) the schedule starts being used, for the gaps it measures.
   */
  constructor(
    readonly expression: string,
    readonly tz: string,
    now: number,
  ) {
    if (typeof tz !== 'string' || !isTimeZone(tz))
      throw new InvalidArgumentError('options.tz', `unknown time zone ${JSON.stringify(tz)}; give an IANA name such as "Europe/Paris"`);
    const fields = expression.trim().split(/\s+/).filter(Boolean).length;
    if (fields !== 5 && fields !== 6) {
      throw new InvalidArgumentError(
        'schedule',
        `${JSON.stringify(expression)} is not a cron expression: it has ${fields} fields, a cron expression has 5 (or 6 with seconds first)`,
      );
    }
    try {
      this.cron = CronExpressionParser.parse(expression, { tz, currentDate: new Date(now) });
      this.cron.next();
    } catch (error) {
      throw new InvalidArgumentError(
        'schedule',
        `${JSON.stringify(expression)} is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.description = `cron "${expression}" (${tz})`;
    const gaps = this.scanGaps(now);
    this.shortestGapMs = gaps.shortest;
    this.longestGapMs = gaps.longest;
  }

  first(now: number): number | undefined {
    // a fire time exactly at `now` is still ahead of a node starting at `now`
    return this.after(now - 1);
  }

  due(next: number, now: number, keep: number): { due: number[]; next: number | undefined } {
    const due: number[] = [];
    let fire: number | undefined = next;
    for (let steps = 0; fire !== undefined && fire <= now; steps++) {
      if (steps === MAX_STEPS) {
        // thousands of fire times late (a stopped process): resume from now, run none of them
        return { due: [], next: this.after(now) };
      }
      due.push(fire);
      if (due.length > keep) due.shift();
      fire = this.after(fire);
    }
    return { due, next: fire };
  }

  tick(fireTime: number): number {
    return fireTime;
  }

  // cron-parser's prev() disagrees with next() across DST changes, so only next() is used.
  private after(time: number): number | undefined {
    this.cron.reset(new Date(time));
    try {
      return this.cron.next().getTime();
    } catch {
      // past the last date cron-parser can represent: the schedule has ended
      return undefined;
    }
  }

  private scanGaps(now: number): { shortest: number; longest: number } {
    let shortest = Infinity;
    let longest = 0;
    let previous = this.after(now);
    for (let i = 0; i < SCAN_FIRES && previous !== undefined && previous - now < SCAN_SPAN_MS; i++) {
      const fire = this.after(previous);
      if (fire === undefined) break;
      shortest = Math.min(shortest, fire - previous);
      longest = Math.max(longest, fire - previous);
      previous = fire;
    }
    return { shortest: Number.isFinite(shortest) ? shortest : 1_000, longest };
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
