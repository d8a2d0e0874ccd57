import { setTimeout as sleep } from 'node:timers/promises';

/** How long {@link eventually} keeps trying, how often, and what it says it waited for. */
export interface EventuallyOptions {
  /** What the test waits for, in words; the timeout error names it ("waiting for <what>"). */
  what: string;
  /** Real time after which it gives up. @default 10_000 ms */
  timeoutMs?: number;
  /** Real time between two checks. @default 20 ms */
  intervalMs?: number;
}

/**
 * Runs `check` until it passes, for tests that wait on real time (other processes, a real server).
 * A check passes when it returns anything but `false` without throwing, so it can be a predicate
 * or a block of `expect` calls. The deadline is wall-clock time, not a number of tries: a loaded
 * machine slows each try down without making the wait longer. A check that has not passed by the
 * deadline is run once more, so a slow last try is not wasted; if that fails too, the error names
 * `what` and the time waited, and carries the check's last error as `cause`.
 * @throws Error when `check` has not passed within `timeoutMs`.
 */
export async function eventually(check: () => unknown, options: EventuallyOptions): Promise<void> {
  const { what, timeoutMs = 10_000, intervalMs = 20 } = options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastError: unknown;
  for (let last = false; ;) {
    try {
      if ((await check()) !== false) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (last) break;
    const left = deadline - Date.now();
    if (left <= 0) last = true;
    else await sleep(Math.min(intervalMs, left));
  }
  const detail = lastError === undefined ? '' : `; the last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new Error(`timed out after ${Date.now() - started} ms (limit ${timeoutMs} ms) waiting for ${what}${detail}`, { cause: lastError });
}
