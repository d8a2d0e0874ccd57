import { setClockTimeout, type Clock } from '@baton/core';

/** Longest single timer delay (ms): Node fires a setTimeout of more than 2^31 - 1 ms after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A timer armed for a clock time. */
export interface ClockTimer {
  /** Clock time (ms) the timer was armed for. */
  readonly at: number;
  cancel(): void;
}

/**
 * Runs `fn` at clock time `at` (ms) unless cancelled. A target further away than MAX_TIMER_MS
 * fires early, at the cap: every caller checks the state when its timer fires and arms again.
 */
export function timerAt(clock: Clock, at: number, fn: () => void): ClockTimer {
  const cancel = setClockTimeout(clock, Math.min(MAX_TIMER_MS, at - clock.now()), fn);
  return { at, cancel };
}
