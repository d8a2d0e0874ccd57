import { expect, it } from 'vitest';
import { QUEUE_DEFAULTS } from '../queue/index.js';
import type { Queue } from '../interfaces/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** Kills `n` tasks of `q` (maxAttempts 1), one at a time, `gapMs` apart. */
async function killTasks(h: Harness, q: Queue, ids: string[], gapMs: number): Promise<void> {
  for (const id of ids) {
    await q.enqueue(id, { id });
    await q.fail((await q.dequeue())!, `poison ${id}`);
    await h.advance(gapMs);
  }
}

/** QueueOptions.retainDead: the dead letters are bounded by count and by age, and the drops are counted. */
export function retainDeadConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'retainDead')('queue: dead-letter retention', () => {
    it('keeps the newest retainDead.count dead letters and counts the ones it dropped', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue('retain-count', { maxAttempts: 1, retainDead: { count: 3 } });
      await killTasks(h, q, ['d1', 'd2', 'd3', 'd4', 'd5'], Math.max(1, h.unit / 10));
      expect((await q.deadLetters()).map((t) => t.id)).toEqual(['d5', 'd4', 'd3']);
      const other = b2.queue('retain-count', { maxAttempts: 1, retainDead: { count: 3 } });
      expect(await other.stats()).toMatchObject({ dead: 3, deadDropped: 2 });
      expect(await other.get('d1')).toBeUndefined();
      expect((await other.list('dead')).tasks.map((t) => t.id)).toEqual(['d5', 'd4', 'd3']);
      expect(await q.retryDead(['d2', 'd3'])).toBe(1);
      expect((await q.enqueue('again', { id: 'd1' })).status).toBe('queued');
    });

    it('drops dead letters older than retainDead.ageMs', async () => {
      const q = (await h.backend()).queue('retain-age', { maxAttempts: 1, retainDead: { ageMs: 5 * h.unit } });
      await killTasks(h, q, ['old1', 'old2'], 0);
      await h.advance(3 * h.unit);
      await killTasks(h, q, ['young'], 0);
      expect(await q.stats()).toMatchObject({ dead: 3, deadDropped: 0 });
      await h.advance(3 * h.unit);
      expect(await q.stats()).toMatchObject({ dead: 1, deadDropped: 2 });
      expect((await q.deadLetters()).map((t) => t.id)).toEqual(['young']);
      if (caps.results) expect(await q.outcome('old1')).toBeUndefined();
    });

    it('has documented defaults and refuses bad values', async () => {
      expect(QUEUE_DEFAULTS.retainDead).toEqual({ count: 10_000, ageMs: 604_800_000 });
      const b = await h.backend();
      const q = b.queue('retain-default', { maxAttempts: 1 });
      await killTasks(h, q, ['a', 'b'], 0);
      expect(await q.stats()).toMatchObject({ dead: 2, deadDropped: 0 });
      for (const retainDead of [{ count: 0 }, { ageMs: -1 }, { count: 1.5 }]) {
        expect(() => b.queue('retain-bad', { retainDead })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      }
    });
  });
}
