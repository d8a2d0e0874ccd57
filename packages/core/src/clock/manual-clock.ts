import type { Clock } from './clock.js';

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
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next.due > target) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.current = Math.max(this.current, next.due);
      next.resolve();
      await settle();
    }
    // Concurrent advances may overlap; time never moves backwards.
    this.current = Math.max(this.current, target);
    await settle();
  }

  /** Lets pending continuations run without moving time. */
  async flush(): Promise<void> {
    await this.advance(0);
  }

  /** Number of sleeps not yet due: useful to check that nothing leaks timers. */
  pendingTimers(): number {
    return this.sleepers.length;
  }

  private nextDue(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (!best || s.due < best.due || (s.due === best.due && s.seq < best.seq)) best = s;
    }
    return best;
  }
}
