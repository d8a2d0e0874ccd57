export { type Clock, setClockTimeout } from './clock.js';
export { SystemClock } from './system-clock.js';
export { ManualClock, type AdvanceUntilOptions, type ClockCondition } from './manual-clock.js';
export { ClockTimers, type SharedTimer } from './clock-timers.js';
