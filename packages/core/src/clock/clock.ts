import { SystemClock } from './system-clock.js';

/**
 * The source of time for everything in Baton. Inject `SystemClock` in production and
 * `ManualClock` in tests, so TTLs, leases, heartbeats and backoff run without real waiting.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (or the ManualClock's origin). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Rejects with `signal.reason`
   * when `signal` aborts first (and at once when it is already aborted).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Runs `fn` once after `ms` of `clock` time unless the returned cancel function is called first.
 * Timers in core and adapters go through this so a ManualClock drives all of them.
 */
export function setClockTimeout(clock: Clock, ms: number, fn: () => void): () => void {
  // Real time needs no promise, signal or listener: this runs for every lock and lease, so it
  // is a plain timer (the cost of the general path shows in profiles of lock cycles).
  if (clock instanceof SystemClock) return clock.timeout(Math.max(0, ms), fn);
  const controller = new AbortController();
  clock.sleep(Math.max(0, ms), controller.signal).then(
    () => {
      if (!controller.signal.aborted) fn();
    },
    () => undefined,
  );
  // An explicit reason: abort() without one builds a DOMException, stack trace included.
  return () => controller.abort(CANCELLED);
}

const CANCELLED = Object.freeze({ cancelled: true });
