import { ConditionTimeoutError, InvalidArgumentError } from '../errors/index.js';
import { assertOptionsObject, nonNegativeIntOr, positiveIntOr } from '../validation/index.js';
import type { Clock } from './clock.js';

/**
 * What `advanceUntil` waits for: it holds when it returns true, or returns nothing without
 * throwing (an assertion such as `() => expect(sent).toHaveLength(3)`); false or a throw means
 * "not yet".
 */
export type ClockCondition = () => boolean | void | Promise<boolean | void>;

/** Options of `ManualClock.advanceUntil`. */
export interface AdvanceUntilOptions {
  /** Most clock time (ms, integer >= 0) to let pass before giving up. @default 60_000 */
  maxMs?: number;
  /**
   * Move time in steps of this many ms (integer >= 1), checking after each. Without it, time
   * moves from one due timer to the next and the condition is checked after each, so it is
   * seen at the first moment it holds. @default undefined (timer by timer)
   */
  stepMs?: number;
  /** Names what is awaited in the error thrown after `maxMs`. @default 'the condition' */
  what?: string;
}

/** Most timers `runPending` fires at one instant before it calls it a loop. */
const MAX_TIMERS_AT_ONCE = 100_000;

interface Sleeper {
  due: number;
  seq: number;
  resolve: () => void;
  cancel: () => void;
}

/** Lets every pending promise continuation run, so work started by a timer settles before the next one. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer that falls due, in order,
 * letting each one's continuations run before the next fires, so tests of TTLs, leases,
 * heartbeats and backoff are deterministic and never wait for real.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;

  /** @param start the initial time in ms. @default 1_700_000_000_000 (a plausible epoch time) */
  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  /** The clock's current time in ms. */
  now(): number {
    return this.current;
  }

  /** Resolves when `advance` moves the clock `ms` past now; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: () => undefined,
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason);
      };
      sleeper.cancel = onAbort;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /**
   * Moves time forward by `ms`, firing due timers in order of due time (then creation);
   * timers created while advancing also fire if they fall due within the window.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    await this.fireUntil(this.current + ms);
  }

  /**
   * Lets time run until `condition` holds: checks it, then moves time (timer by timer, or in
   * steps of `stepMs`) and checks again, letting what each timer started settle first. Resolves
   * as soon as it holds, the clock standing at that moment. Throws ConditionTimeoutError naming
   * `what` when `maxMs` of clock time passed without it (its `cause` is the check's last
   * error); an error thrown by the check is "not yet", not a failure. InvalidArgumentError for
   * bad options.
   */
  async advanceUntil(condition: ClockCondition, options: AdvanceUntilOptions = {}): Promise<void> {
    if (typeof condition !== 'function') throw new InvalidArgumentError('condition', 'must be a function');
    assertOptionsObject('options', options);
    const maxMs = nonNegativeIntOr('options.maxMs', options.maxMs, 60_000);
    const stepMs = options.stepMs === undefined ? undefined : positiveIntOr('options.stepMs', options.stepMs, 1);
    const what = options.what ?? 'the condition';
    if (typeof what !== 'string') throw new InvalidArgumentError('options.what', 'must be a string');
    const deadline = this.current + maxMs;
    let lastError: unknown;
    await settle();
    for (;;) {
      try {
        if ((await condition()) !== false) return;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (this.current >= deadline) throw this.timeoutError(what, maxMs, lastError);
      const next = this.nextDue();
      const to = stepMs !== undefined ? this.current + stepMs : next === undefined ? deadline : next.due;
      await this.fireUntil(Math.min(deadline, Math.max(this.current, to)));
    }
  }

  /**
   * Fires every timer due now, including timers that what fired scheduled for now, and lets
   * their continuations settle; time does not move. Resolves how many timers fired. Throws
   * RangeError when more than 100,000 fire at one instant (a timer that re-arms itself at 0 ms).
   */
  async runPending(): Promise<number> {
    return this.fireUntil(this.current);
  }

  /** Lets pending continuations run and fires what is due now, without moving time (see runPending). */
  async flush(): Promise<void> {
    await this.runPending();
  }

  /** Number of sleeps not yet due: useful to check that nothing leaks timers. */
  pendingTimers(): number {
    return this.sleepers.length;
  }

  // Fires timers due up to `target` in order, settling after each, then moves time to `target`.
  private async fireUntil(target: number): Promise<number> {
    let fired = 0;
    let sameInstant = 0;
    await settle();
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next.due > target) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      sameInstant = next.due <= this.current ? sameInstant + 1 : 0;
      if (sameInstant > MAX_TIMERS_AT_ONCE)
        throw new RangeError(`ManualClock: over ${MAX_TIMERS_AT_ONCE} timers fired at ${this.current}; a timer re-arms itself at 0 ms`);
      this.current = Math.max(this.current, next.due);
      next.resolve();
      fired++;
      await settle();
    }
    // Concurrent advances may overlap; time never moves backwards.
    this.current = Math.max(this.current, target);
    await settle();
    return fired;
  }

  private timeoutError(what: string, maxMs: number, lastError: unknown): ConditionTimeoutError {
    const next = this.nextDue();
    const timers =
      next === undefined
        ? '; no timer is pending, so only something outside this clock could still make it happen'
        : `; ${this.sleepers.length} timer(s) pending, the next due in ${next.due - this.current} ms`;
    const failed = lastError === undefined ? '' : `; the last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
    return new ConditionTimeoutError(what, maxMs, `${timers}${failed}`, lastError === undefined ? undefined : { cause: lastError });
  }

  private nextDue(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (!best || s.due < best.due || (s.due === best.due && s.seq < best.seq)) best = s;
    }
    return best;
  }
}
