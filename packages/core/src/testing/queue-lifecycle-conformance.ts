import { describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';

/** Lease expiry and recovery, extension, delays, retries with backoff and dead letters. */
export function queueLifecycleConformance(h: Harness): void {
  describe('queue: leases', () => {
    it('a lease that expires goes back to waiting and is delivered again with attempt 2', async () => {
      const q = (await h.backend()).queue('stall', { visibilityTimeoutMs: 3 * h.unit });
      await q.enqueue('work', { id: 's1' });
      const first = (await q.dequeue())!;
      await h.advance(h.unit);
      expect(await q.recoverStalled()).toBe(0);
      expect(await q.dequeue()).toBeNull();
      await h.advance(3 * h.unit);
      expect(await q.recoverStalled()).toBe(1);
      expect(await q.stats()).toMatchObject({ waiting: 1, active: 0 });
      const second = (await q.dequeue())!;
      expect(second.id).toBe('s1');
      expect(second.attempt).toBe(2);
      expect(second.token).not.toBe(first.token);
    });

    it('a worker whose lease was lost can no longer complete, fail or extend it', async () => {
      const q = (await h.backend()).queue('lost', { visibilityTimeoutMs: 2 * h.unit });
      await q.enqueue('work', { id: 'l1' });
      const stale = (await q.dequeue())!;
      await h.advance(3 * h.unit);
      await q.recoverStalled();
      const fresh = (await q.dequeue())!;
      expect(await q.complete(stale)).toBe(false);
      expect(await q.fail(stale, new Error('late'))).toBe('lost');
      expect(await q.extend(stale, 5 * h.unit)).toBe(false);
      expect(await q.isFinished('l1')).toBe(false);
      expect(await q.complete(fresh)).toBe(true);
      expect(await q.isFinished('l1')).toBe(true);
    });

    it('a lease past its deadline still completes until recoverStalled takes it back', async () => {
      const q = (await h.backend()).queue('late-complete', { visibilityTimeoutMs: h.unit });
      await q.enqueueMany([
        { payload: 1, id: 'late' },
        { payload: 2, id: 'later' },
      ]);
      const [late, later] = await q.dequeueMany(2);
      await h.advance(2 * h.unit);
      expect(await q.extend(later!, 5 * h.unit)).toBe(true);
      expect(await q.complete(late!)).toBe(true);
      expect(await q.recoverStalled()).toBe(0);
      expect(await q.isFinished('late')).toBe(true);
    });

    it('recoverStalled is idempotent and safe from several nodes at once', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q1 = b1.queue('recover-twice', { visibilityTimeoutMs: h.unit });
      const q2 = b2.queue('recover-twice', { visibilityTimeoutMs: h.unit });
      await q1.enqueueMany([{ payload: 1 }, { payload: 2 }]);
      await q1.dequeueMany(2);
      await h.advance(2 * h.unit);
      const counts = await Promise.all([q1.recoverStalled(), q2.recoverStalled()]);
      expect(counts[0]! + counts[1]!).toBe(2);
      expect(await q1.recoverStalled()).toBe(0);
      expect(await q1.stats()).toMatchObject({ waiting: 2, active: 0 });
    });

    it('a recovered task is served before tasks that were already waiting', async () => {
      const q = (await h.backend()).queue<string>('front', { visibilityTimeoutMs: h.unit });
      await q.enqueue('old', { id: 'old' });
      await q.dequeue();
      await q.enqueue('new', { id: 'new' });
      await h.advance(2 * h.unit);
      expect(await q.recoverStalled()).toBe(1);
      expect((await q.dequeue())!.id).toBe('old');
      expect((await q.dequeue())!.id).toBe('new');
    });

    it('extend moves the deadline so the lease is not recovered at the old one', async () => {
      const q = (await h.backend()).queue('extend', { visibilityTimeoutMs: 3 * h.unit });
      await q.enqueue('work');
      const lease = (await q.dequeue())!;
      await h.advance(2 * h.unit);
      expect(await q.extend(lease, 6 * h.unit)).toBe(true);
      await h.advance(3 * h.unit);
      expect(await q.recoverStalled()).toBe(0);
      expect(await q.complete(lease)).toBe(true);
    });

    it('a task that stalls on its last attempt goes to the dead letters with the reason', async () => {
      const q = (await h.backend()).queue('stall-dead', { visibilityTimeoutMs: h.unit, maxAttempts: 2 });
      await q.enqueue('work', { id: 'sd' });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const lease = (await q.dequeue())!;
        expect(lease.attempt).toBe(attempt);
        await h.advance(2 * h.unit);
        expect(await q.recoverStalled()).toBe(1);
      }
      expect(await q.dequeue()).toBeNull();
      const [dead] = await q.deadLetters();
      expect(dead?.id).toBe('sd');
      expect(dead?.lastError).toMatch(/stall|expired|lease/i);
      expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 1 });
    });
  });

  describe('queue: delays and retries', () => {
    it('a delayed task is not delivered before its delay and is delivered after it', async () => {
      const q = (await h.backend()).queue('delay');
      await q.enqueue('later', { id: 'late', delayMs: 4 * h.unit });
      await q.enqueue('now', { id: 'now' });
      expect(await q.stats()).toMatchObject({ waiting: 1, delayed: 1 });
      expect((await q.dequeue())!.id).toBe('now');
      await h.advance(2 * h.unit);
      expect(await q.dequeue()).toBeNull();
      await h.advance(3 * h.unit);
      expect((await q.dequeue())!.id).toBe('late');
    });

    it('a failed task is retried after retryInMs with the next attempt and the last error', async () => {
      const q = (await h.backend()).queue('retry', { maxAttempts: 3 });
      await q.enqueue('work', { id: 'r1' });
      const lease = (await q.dequeue())!;
      expect(await q.fail(lease, new Error('disk full'), { retryInMs: 3 * h.unit })).toBe('retry');
      expect(await q.stats()).toMatchObject({ active: 0, delayed: 1 });
      await h.advance(h.unit);
      expect(await q.dequeue()).toBeNull();
      await h.advance(3 * h.unit);
      const again = (await q.dequeue())!;
      expect(again.id).toBe('r1');
      expect(again.attempt).toBe(2);
      expect(again.lastError).toContain('disk full');
    });

    it('without retryInMs a retry waits for the backoff: at least half of baseMs, at most baseMs the first time', async () => {
      const q = (await h.backend()).queue('backoff', { maxAttempts: 5, backoff: { baseMs: 4 * h.unit, maxMs: 40 * h.unit } });
      await q.enqueue('work');
      await q.fail((await q.dequeue())!, new Error('try again'));
      await h.advance(Math.floor(1.5 * h.unit));
      expect(await q.dequeue()).toBeNull();
      await h.advance(3 * h.unit);
      const again = await q.dequeue();
      expect(again?.attempt).toBe(2);
    });

    it('after maxAttempts failures the task is dead, with the last error, and not retried', async () => {
      const q = (await h.backend()).queue('dead', { maxAttempts: 2 });
      await q.enqueue({ job: 1 }, { id: 'x' });
      expect(await q.fail((await q.dequeue())!, new Error('first'), { retryInMs: 0 })).toBe('retry');
      await h.advance(1);
      const second = (await q.dequeue())!;
      expect(second.attempt).toBe(2);
      expect(await q.fail(second, new Error('second'))).toBe('dead');
      await h.advance(10 * h.unit);
      expect(await q.dequeue()).toBeNull();
      const [dead] = await q.deadLetters();
      expect(dead).toMatchObject({ id: 'x', payload: { job: 1 }, attempt: 2 });
      expect(dead!.lastError).toContain('second');
      expect(await q.isFinished('x')).toBe(false);
    });

    it('fail records thrown values that are not Errors', async () => {
      const q = (await h.backend()).queue('odd-errors', { maxAttempts: 1 });
      const thrown: unknown[] = ['a plain string', { code: 42 }, undefined, null, 7];
      for (const value of thrown) {
        await q.enqueue('w');
        expect(await q.fail((await q.dequeue())!, value)).toBe('dead');
      }
      const messages = (await q.deadLetters()).map((t) => t.lastError).reverse();
      expect(messages[0]).toContain('a plain string');
      expect(messages[1]).toContain('42');
      expect(messages.every((m) => typeof m === 'string')).toBe(true);
    });
  });
}
