import { describe, expect, it } from 'vitest';
import { ClockTimers, ManualClock } from '../src/index.js';

describe('ClockTimers', () => {
  it('runs many timers on one clock timer, each at its time, equal times in the order added', async () => {
    const clock = new ManualClock();
    const timers = new ClockTimers(clock);
    const fired: string[] = [];
    for (let i = 0; i < 1_000; i++) timers.after(1_000 + (i % 10) * 100, () => fired.push(`t${i}`));
    expect(clock.pendingTimers()).toBe(1);
    expect(timers.size).toBe(1_000);
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toHaveLength(100);
    expect(fired.slice(0, 3)).toEqual(['t0', 't10', 't20']);
    await clock.advance(900);
    expect(fired).toHaveLength(1_000);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a cancelled timer never runs; cancelling the earliest re-arms for the next; cancelling all leaves no clock timer', async () => {
    const clock = new ManualClock();
    const timers = new ClockTimers(clock);
    const fired: number[] = [];
    const first = timers.after(10, () => fired.push(10));
    timers.after(20, () => fired.push(20));
    const third = timers.after(30, () => fired.push(30));
    first.cancel();
    first.cancel();
    await clock.advance(15);
    expect(fired).toEqual([]);
    await clock.advance(5);
    expect(fired).toEqual([20]);
    third.cancel();
    expect(timers.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(100);
    expect(fired).toEqual([20]);
  });

  it('waits that come and go (armed, then cancelled) do not pile up: the cancelled entries are dropped', async () => {
    const clock = new ManualClock();
    const timers = new ClockTimers(clock);
    const kept = timers.after(60_000, () => undefined);
    for (let i = 0; i < 100_000; i++) timers.after(3_600_000, () => undefined).cancel();
    const heap = (timers as unknown as { heap: unknown[] }).heap;
    expect(heap.length).toBeLessThanOrEqual(200);
    expect(timers.size).toBe(1);
    kept.cancel();
  });

  it('a timer added from inside a firing timer for a time already past runs on the next turn', async () => {
    const clock = new ManualClock();
    const timers = new ClockTimers(clock);
    const fired: string[] = [];
    timers.after(10, () => {
      fired.push('outer');
      timers.at(clock.now() - 5, () => fired.push('inner'));
    });
    await clock.advance(10);
    await clock.flush();
    expect(fired).toEqual(['outer', 'inner']);
  });
});
