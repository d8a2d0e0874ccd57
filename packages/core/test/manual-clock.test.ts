import { describe, expect, it } from 'vitest';
import { ManualClock, setClockTimeout } from '../src/index.js';

describe('ManualClock', () => {
  it('fires sleeps in due order only when advanced past them', async () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    void clock.sleep(30).then(() => fired.push(`b@${clock.now()}`));
    void clock.sleep(10).then(() => fired.push(`a@${clock.now()}`));
    await clock.advance(5);
    expect(fired).toEqual([]);
    await clock.advance(30);
    expect(fired).toEqual(['a@1010', 'b@1030']);
    expect(clock.now()).toBe(1_035);
  });

  it('fires timers created by a timer within the same advance', async () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now());
      if (fired.length < 3) setClockTimeout(clock, 10, tick);
    };
    setClockTimeout(clock, 10, tick);
    await clock.advance(100);
    expect(fired).toEqual([10, 20, 30]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(50, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a cancelled clock timeout never runs', async () => {
    const clock = new ManualClock(0);
    let ran = false;
    const cancel = setClockTimeout(clock, 10, () => (ran = true));
    cancel();
    await clock.advance(20);
    expect(ran).toBe(false);
  });
});
