import { describe, expect, it } from 'vitest';
import { ManualClock } from '@baton/core';
import { NodeClock } from '@baton/simulator';

describe('NodeClock', () => {
  it('holds the timers that fall due while paused and fires them in order on resume', async () => {
    const shared = new ManualClock();
    const clock = new NodeClock(shared);
    const fired: string[] = [];
    void clock.sleep(100).then(() => fired.push('a'));
    void clock.sleep(200).then(() => fired.push('b'));
    clock.pause();
    await shared.advance(500);
    expect(fired).toEqual([]);
    await clock.resume();
    expect(fired).toEqual(['a', 'b']);
  });

  it('never fires again once the node is dead, and holds its calls forever', async () => {
    const shared = new ManualClock();
    const clock = new NodeClock(shared);
    let fired = false;
    let called = false;
    void clock.sleep(100).then(() => (fired = true));
    clock.kill();
    void clock.whenRunning().then(() => (called = true));
    await shared.advance(1_000);
    expect(fired).toBe(false);
    expect(called).toBe(false);
  });
});
