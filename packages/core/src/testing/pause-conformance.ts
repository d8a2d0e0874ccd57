import { expect, it } from 'vitest';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** queue.pause / resume / isPaused: cluster-wide, enforced in the lease step. */
export function pauseConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'pause')('queue: pause and resume', () => {
    it('a paused queue leases nothing on any node while producers keep enqueueing; resume lets leasing go on', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue<string>('pause-basic');
      const other = b2.queue<string>('pause-basic');
      await q.enqueue('before', { id: 'before' });
      expect(await other.isPaused()).toBe(false);
      await q.pause();
      await q.pause();
      expect(await other.isPaused()).toBe(true);
      expect((await other.enqueue('during', { id: 'during' })).status).toBe('queued');
      expect(await other.dequeue()).toBeNull();
      expect(await q.dequeueMany(5)).toEqual([]);
      expect(await q.stats()).toMatchObject({ waiting: 2, active: 0 });
      await other.resume();
      expect(await q.isPaused()).toBe(false);
      expect((await q.dequeueMany(5)).map((l) => l.id)).toEqual(['before', 'during']);
    });

    it('a dequeue blocked during the pause keeps waiting, and resume serves it at once', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue('pause-blocked');
      await q.pause();
      let settled = false;
      const worker = b2
        .queue('pause-blocked')
        .dequeue({ waitMs: 100 * h.unit })
        .finally(() => (settled = true));
      await h.advance(h.unit);
      await q.enqueue('x', { id: 'x' });
      await h.advance(2 * h.unit);
      expect(settled).toBe(false);
      await q.resume();
      expect((await h.promptly(worker, 'the blocked dequeue being served after resume'))?.id).toBe('x');
    });

    it('tasks already leased run on while paused: they complete, fail and are recovered, but nothing new is leased', async () => {
      const q = (await h.backend()).queue('pause-active', { visibilityTimeoutMs: 2 * h.unit, maxAttempts: 3 });
      await q.enqueueMany([
        { payload: 1, id: 'done' },
        { payload: 2, id: 'stalls' },
      ]);
      const [done, stalls] = await q.dequeueMany(2);
      await q.pause();
      expect(await q.extend(stalls!, 2 * h.unit)).toBe(true);
      expect(await q.complete(done!)).toBe(true);
      await h.advance(3 * h.unit);
      expect(await q.recoverStalled()).toBe(1);
      expect(await q.stats()).toMatchObject({ waiting: 1, active: 0 });
      expect(await q.dequeue()).toBeNull();
      await q.resume();
      expect((await q.dequeue())?.id).toBe('stalls');
    });
  });
}
