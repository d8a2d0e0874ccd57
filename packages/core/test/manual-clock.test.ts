import { describe, expect, it } from 'vitest';
import { ConditionTimeoutError, InvalidArgumentError, ManualClock, setClockTimeout } from '../src/index.js';

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

describe('ManualClock.advanceUntil', () => {
  it('moves time timer by timer and stops at the first moment the condition holds', async () => {
    const clock = new ManualClock(0);
    let count = 0;
    const tick = (): void => {
      count++;
      setClockTimeout(clock, 250, tick);
    };
    setClockTimeout(clock, 250, tick);
    await clock.advanceUntil(() => count === 3, { what: 'three ticks' });
    expect(clock.now()).toBe(750);
  });

  it('lets what a timer started settle before checking, also across awaits', async () => {
    const clock = new ManualClock(0);
    const done: number[] = [];
    void (async () => {
      for (let i = 0; i < 4; i++) {
        await clock.sleep(1_000);
        await Promise.resolve();
        done.push(clock.now());
      }
    })();
    await clock.advanceUntil(() => done.length === 4);
    expect(done).toEqual([1_000, 2_000, 3_000, 4_000]);
    expect(clock.now()).toBe(4_000);
  });

  it('with stepMs moves in steps and checks after each', async () => {
    const clock = new ManualClock(0);
    await clock.advanceUntil(() => clock.now() >= 25, { stepMs: 10 });
    expect(clock.now()).toBe(30);
  });

  it('takes an assertion: a throw is "not yet", returning nothing is "holds"', async () => {
    const clock = new ManualClock(0);
    let ready = false;
    setClockTimeout(clock, 5_000, () => (ready = true));
    await clock.advanceUntil(() => {
      if (!ready) throw new Error('not ready');
    });
    expect(clock.now()).toBe(5_000);
  });

  it('throws ConditionTimeoutError naming what was awaited after maxMs, with the last failure as cause', async () => {
    const clock = new ManualClock(0);
    setClockTimeout(clock, 10_000, () => undefined);
    const failure = new Error('expected 3 mails, got 1');
    const error: unknown = await clock
      .advanceUntil(
        () => {
          throw failure;
        },
        { maxMs: 2_000, what: 'three mails to be sent' },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionTimeoutError);
    const timeout = error as ConditionTimeoutError;
    expect(timeout.code).toBe('CONDITION_TIMEOUT');
    expect(timeout.what).toBe('three mails to be sent');
    expect(timeout.message).toContain('2000 ms of clock time for three mails to be sent');
    expect(timeout.message).toContain('the next due in 8000 ms');
    expect(timeout.message).toContain('expected 3 mails, got 1');
    expect(timeout.cause).toBe(failure);
    expect(clock.now()).toBe(2_000);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('says when nothing is pending that could make it happen', async () => {
    const clock = new ManualClock(0);
    await expect(clock.advanceUntil(() => false, { maxMs: 100 })).rejects.toThrow(/no timer is pending/);
  });

  it('refuses bad options with InvalidArgumentError', async () => {
    const clock = new ManualClock(0);
    await expect(clock.advanceUntil(() => true, { maxMs: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(clock.advanceUntil(() => true, { stepMs: 0 })).rejects.toThrow(/options\.stepMs/);
    await expect(clock.advanceUntil('soon' as never)).rejects.toThrow(/condition/);
  });
});

describe('ManualClock.runPending', () => {
  it('fires what is due now, including timers scheduled for now by what fired, without moving time', async () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    setClockTimeout(clock, 0, () => {
      fired.push('first');
      setClockTimeout(clock, 0, () => fired.push('scheduled by first'));
      setClockTimeout(clock, 1, () => fired.push('later'));
    });
    expect(await clock.runPending()).toBe(2);
    expect(fired).toEqual(['first', 'scheduled by first']);
    expect(clock.now()).toBe(100);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('stops a timer that re-arms itself at 0 ms instead of spinning forever', async () => {
    const clock = new ManualClock(0);
    const loop = (): void => void setClockTimeout(clock, 0, loop);
    loop();
    await expect(clock.runPending()).rejects.toThrow(/re-arms itself/);
  }, 60_000);
});
