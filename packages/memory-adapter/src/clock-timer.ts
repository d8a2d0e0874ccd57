import { setClockTimeout, type Clock } from '@baton/core';

/** A timer armed for a clock time. */
export interface ClockTimer {
  /** Clock time (ms) the timer was armed for. */
  readonly at: number;
  cancel(): void;
}

/**
 * Runs `fn` at clock time `at` (ms) unless cancelled. Delays past Node's timer limit are handled
 * by the clock itself (SystemClock takes them in chunks).
 */
export function timerAt(clock: Clock, at: number, fn: () => void): ClockTimer {
  const cancel = setClockTimeout(clock, at - clock.now(), fn);
  return { at, cancel };
}
