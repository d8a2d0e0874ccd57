import { describe, expect, it } from 'vitest';
import { LockLostError, ManualClock, silentLogger } from '../src/index.js';
import { ManagedLock, type LockContext } from '../src/locks/index.js';

/** A context over a store that still holds the lock whatever the time, counting its calls. */
function context(clock: ManualClock): { ctx: LockContext; calls: string[] } {
  const calls: string[] = [];
  const store = {
    async extend(): Promise<boolean> {
      calls.push('extend');
      return true;
    },
    async release(): Promise<boolean> {
      calls.push('release');
      return true;
    },
  };
  return { ctx: { store, clock, logger: silentLogger, kind: 'semaphore' }, calls };
}

describe('ManagedLock', () => {
  it('arms no timer until its signal is read, and a signal first read after the deadline is already aborted', async () => {
    const clock = new ManualClock();
    const { ctx } = context(clock);
    const lock = new ManagedLock(ctx, 'r', 'tok', 1, 1_000, clock.now(), false);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(1_000);
    expect(lock.signal.aborted).toBe(true);
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    expect((lock.signal.reason as Error).message).toContain('Semaphore "r" was lost');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a signal read in time aborts at the deadline, and extend moves the deadline', async () => {
    const clock = new ManualClock();
    const { ctx } = context(clock);
    const lock = new ManagedLock(ctx, 'r', 'tok', 1, 1_000, clock.now(), false);
    const signal = lock.signal;
    await clock.advance(500);
    expect(await lock.extend(1_000)).toBe(true);
    await clock.advance(999);
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    expect(signal.aborted).toBe(true);
  });

  it('past its deadline, extend refuses without asking the store (which may not know yet)', async () => {
    const clock = new ManualClock();
    const { ctx, calls } = context(clock);
    const lock = new ManagedLock(ctx, 'r', 'tok', 1, 1_000, clock.now(), false);
    await clock.advance(1_000);
    expect(await lock.extend()).toBe(false);
    expect(calls).toEqual([]);
    expect(lock.signal.aborted).toBe(true);
    expect(await lock.release()).toBe(true);
    expect(calls).toEqual(['release']);
  });
});
