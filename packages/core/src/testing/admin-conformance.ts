import { expect, it } from 'vitest';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** retryDead, remove and purge: acting on a queue's tasks from any node. */
export function adminConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'inspection')('queue: admin operations', () => {
    it('retryDead redrives the given dead letters with a fresh attempt count, skipping ids that are not dead', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue<string>('admin-retry', { maxAttempts: 2 });
      await q.enqueueMany([
        { payload: 'a', id: 'a' },
        { payload: 'b', id: 'b' },
      ]);
      for (let attempt = 0; attempt < 2; attempt++) {
        for (const lease of await q.dequeueMany(2)) await q.fail(lease, `died ${lease.id}`, { retryInMs: 0 });
      }
      await q.enqueue('live', { id: 'live' });
      expect((await q.stats()).dead).toBe(2);
      const other = b2.queue<string>('admin-retry');
      expect(await other.retryDead(['a', 'live', 'unknown', 'a'])).toBe(1);
      expect(await q.get('a')).toMatchObject({ state: 'waiting', attempt: 0, lastError: 'died a' });
      expect(await q.stats()).toMatchObject({ dead: 1, waiting: 2 });
      const [live, a] = await q.dequeueMany(2);
      expect([live!.id, a!.id]).toEqual(['live', 'a']);
      expect(a).toMatchObject({ payload: 'a', attempt: 1, lastError: 'died a' });
      // A fresh count: two more attempts before it dies again.
      expect(await q.fail(a!, 'again', { retryInMs: 0 })).toBe('retry');
      expect(await q.fail((await q.dequeue())!, 'again')).toBe('dead');
    });

    it('retryDead({ all: true }) redrives every dead letter, and a blocked dequeue gets one at once', async () => {
      const q = (await h.backend()).queue('admin-retry-all', { maxAttempts: 1 });
      await q.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ payload: i, id: `d${i}` })));
      for (const lease of await q.dequeueMany(30)) await q.fail(lease, 'x');
      const worker = (await h.backend()).queue('admin-retry-all').dequeue({ waitMs: 50 * h.unit });
      await h.advance(h.unit);
      expect(await q.retryDead({ all: true })).toBe(30);
      expect((await h.promptly(worker, 'the blocked dequeue being served'))?.attempt).toBe(1);
      expect(await q.stats()).toMatchObject({ dead: 0, waiting: 29, active: 1 });
      expect(await q.retryDead({ all: true })).toBe(0);
      expect(await q.retryDead([])).toBe(0);
    });

    it('remove forgets a task in any state but active, and its id can be enqueued afresh', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue('admin-remove', { maxAttempts: 1 });
      await q.enqueueMany([
        { payload: 0, id: 'fin' },
        { payload: 0, id: 'dead' },
        { payload: 0, id: 'act' },
        { payload: 0, id: 'wait' },
        { payload: 0, id: 'later', delayMs: 2 * h.unit },
      ]);
      const [fin, dead, act] = await q.dequeueMany(3);
      await q.complete(fin!);
      await q.fail(dead!, 'x');
      const other = b2.queue('admin-remove');
      for (const id of ['fin', 'dead', 'wait', 'later']) expect(await other.remove(id)).toBe('removed');
      expect(await other.remove('act')).toBe('active');
      expect(await other.remove('wait')).toBe('not-found');
      expect(await other.remove('never')).toBe('not-found');
      expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 0, active: 1, dead: 0 });
      expect(await q.get('fin')).toBeUndefined();
      expect(await q.isFinished('fin')).toBe(false);
      expect(await q.complete(act!)).toBe(true);
      await h.advance(3 * h.unit);
      expect(await q.dequeue()).toBeNull();
      expect((await q.enqueue(1, { id: 'fin' })).status).toBe('queued');
      expect((await q.enqueue(1, { id: 'dead' })).status).toBe('queued');
      if (caps.cancel) {
        await q.cancel('dead');
        expect(await q.remove('dead')).toBe('removed');
        expect((await q.enqueue(2, { id: 'dead' })).status).toBe('queued');
      }
    });

    it('purge empties one state in bounded batches and leaves the others alone', async () => {
      const q = (await h.backend()).queue('admin-purge', { maxAttempts: 1 });
      const many = 2_500;
      for (let i = 0; i < many; i += 1_000) {
        await q.enqueueMany(Array.from({ length: Math.min(1_000, many - i) }, (_, j) => ({ payload: i + j })));
      }
      await q.enqueueMany([
        { payload: 'later', id: 'later', delayMs: 5 * h.unit },
        { payload: 'x', id: 'x' },
      ]);
      expect(await q.purge('waiting')).toBe(many + 1);
      expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 1 });
      await q.enqueueMany([
        { payload: 1, id: 'dies' },
        { payload: 2, id: 'done' },
      ]);
      const [dies, done] = await q.dequeueMany(2);
      await q.fail(dies!, 'x');
      await q.complete(done!);
      expect(await q.purge('dead')).toBe(1);
      expect(await q.purge('finished')).toBe(1);
      expect(await q.isFinished('done')).toBe(false);
      expect(await q.purge('delayed')).toBe(1);
      expect(await q.purge('waiting')).toBe(0);
      expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 0, active: 0, dead: 0 });
      await h.advance(6 * h.unit);
      expect(await q.dequeue()).toBeNull();
      if (caps.cancel) {
        await q.enqueue(0, { id: 'c' });
        await q.cancel('c');
        expect(await q.purge('cancelled')).toBe(1);
        expect(await q.get('c')).toBeUndefined();
      }
    });
  });
}
