/** A resolved backoff policy (ms). */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay (ms) before retry number `attempt` (1 = the first retry): exponential
 * `baseMs * 2^(attempt-1)` capped at `maxMs`, with "equal jitter": a uniform draw from the upper
 * half, so retries of tasks that failed together spread out but never come back instantly.
 * `random` returns a number in [0, 1); inject it for repeatable tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
