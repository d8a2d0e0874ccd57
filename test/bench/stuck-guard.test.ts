import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withStuckGuard } from '../../bench/lib/stuck-guard.js';

describe('bench stuck guard', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets a slow scenario that keeps making progress run past the limit', async () => {
    let done = 0;
    let finish!: () => void;
    const all = new Promise<void>((resolve) => (finish = resolve));
    const guarded = withStuckGuard(all, () => `processed ${done}/50`, 1_000);
    let outcome: unknown = 'pending';
    guarded.then(
      () => (outcome = 'finished'),
      (error: unknown) => (outcome = error),
    );
    // one job every 500 ms: 25 s in all, 25 times the limit, never 1 s without progress
    for (let i = 0; i < 50; i++) {
      await vi.advanceTimersByTimeAsync(500);
      done++;
    }
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toBe('finished');
  });

  it('fails a scenario whose progress stopped, saying how far it got', async () => {
    let done = 0;
    const guarded = withStuckGuard(new Promise<void>(() => undefined), () => `processed ${done}/50`, 1_000);
    const failed = expect(guarded).rejects.toThrow('scenario stuck: no progress for 1000 ms: processed 3/50');
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(400);
      done++;
    }
    await vi.advanceTimersByTimeAsync(1_200);
    await failed;
  });
});
