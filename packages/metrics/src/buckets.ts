/**
 * Histogram buckets (seconds) for task wait and run times: from 5 ms to 4 hours, since a task can
 * wait behind a backlog or run for hours, and a histogram whose top bucket is too low reports
 * every long wait as "+Inf".
 */
export const TASK_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1_800, 3_600, 7_200, 14_400];

/** Histogram buckets (seconds) for lock, semaphore and read/write-lock waits: 1 ms to 5 minutes. */
export const LOCK_WAIT_SECONDS_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
