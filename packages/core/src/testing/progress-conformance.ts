import { expect, it } from 'vitest';
import { InvalidArgumentError, SerializationError } from '../errors/index.js';
import type { QueueEvent } from '../interfaces/index.js';
import { MAX_PROGRESS_BYTES } from '../validation/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** queue.progress: stored while the lease is held, announced to watchers, bounded in size. */
export function progressConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'progress')('queue: progress', () => {
    it('progress is accepted while the lease is held and refused once it is gone', async () => {
      const q = (await h.backend()).queue('progress', { visibilityTimeoutMs: h.unit });
      await q.enqueueMany([
        { payload: 1, id: 'done' },
        { payload: 2, id: 'stalls' },
      ]);
      const [done, stalls] = await q.dequeueMany(2);
      expect(await q.progress(done!, { percent: 50 })).toBe(true);
      expect(await q.progress(done!, 'almost')).toBe(true);
      expect(await q.complete(done!)).toBe(true);
      expect(await q.progress(done!, 100)).toBe(false);
      await h.advance(2 * h.unit);
      await q.recoverStalled();
      expect(await q.progress(stalls!, 1)).toBe(false);
    });

    it('progress JSON cannot carry, or over MAX_PROGRESS_BYTES, is refused', async () => {
      const q = (await h.backend()).queue('progress-bad');
      await q.enqueue('x');
      const lease = (await q.dequeue())!;
      await expect(q.progress(lease, undefined)).rejects.toBeInstanceOf(SerializationError);
      await expect(q.progress(lease, { n: Number.NaN })).rejects.toThrow(/progress/);
      await expect(q.progress(lease, 'x'.repeat(MAX_PROGRESS_BYTES))).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await q.progress(lease, 'x'.repeat(MAX_PROGRESS_BYTES - 2))).toBe(true);
    });
  });

  describeNeeding(
    caps,
    'progress',
    'events',
  )('queue: progress events', () => {
    it('watchers on every node get each progress value, each listener its own copy', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const seen: QueueEvent[] = [];
      const other: QueueEvent[] = [];
      const stop = b1.queue('progress-events').watch((e) => seen.push(e), { types: ['progress'] });
      const stop2 = b1.queue('progress-events').watch((e) => other.push(e), { types: ['progress'] });
      await Promise.all([stop.ready, stop2.ready]);
      const q = b2.queue('progress-events');
      await q.enqueue('x', { id: 'p' });
      const lease = (await q.dequeue())!;
      await q.progress(lease, { step: 1, of: 3 });
      await q.progress(lease, { step: 2, of: 3 });
      await h.eventually(() => expect(seen).toHaveLength(2), 20 * h.unit);
      expect(seen.map((e) => [e.type, (e as { id: string }).id, (e as { progress: unknown }).progress])).toEqual([
        ['progress', 'p', { step: 1, of: 3 }],
        ['progress', 'p', { step: 2, of: 3 }],
      ]);
      await h.eventually(() => expect(other).toHaveLength(2), 20 * h.unit);
      expect((other[0] as { progress: unknown }).progress).not.toBe((seen[0] as { progress: unknown }).progress);
      stop();
      stop2();
    });
  });
}
