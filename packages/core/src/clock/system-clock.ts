import type { Clock } from './clock.js';

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

// Node fires timers longer than 2^31-1 ms after 1 ms; longer sleeps are taken in chunks.
const MAX_TIMER_MS = 2_147_483_647;

/** Real time: `Date.now()` and timers. The default clock outside tests. */
export class SystemClock implements Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number {
    return Date.now();
  }

  /**
   * Runs `fn` after `ms` real milliseconds (delays past Node's 2^31-1 ms limit in chunks) unless
   * the returned function is called first. What `setClockTimeout` uses for this clock.
   */
  timeout(ms: number, fn: () => void): () => void {
    let timer: ReturnType<typeof setTimeout>;
    const arm = (left: number): void => {
      timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(Math.max(0, left), MAX_TIMER_MS));
    };
    arm(ms);
    return () => clearTimeout(timer);
  }

  /** Resolves after `ms` real milliseconds; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (ms > MAX_TIMER_MS) return this.sleep(MAX_TIMER_MS, signal).then(() => this.sleep(ms - MAX_TIMER_MS, signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
