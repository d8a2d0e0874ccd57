import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../validation/index.js';
import { describeIf, type ConformanceCapabilities, type Harness } from './harness.js';

/** Priorities: higher served sooner, FIFO within one priority, kept across retries, delays and recovery. */
export function prioritiesConformance(h: Harness, caps: ConformanceCapabilities): void {
  const describeP = describeIf(caps.priorities, 'priorities');
  describeP('queue: priorities', () => {
    it('a higher priority is leased first, and tasks of one priority first in, first out', async () => {
      const q = (await h.backend()).queue<string>('prio-order');
      await q.enqueue('low-1', { priority: -5 });
      await q.enqueue('mid-1');
      await q.enqueueMany([
        { payload: 'high-1', priority: 10 },
        { payload: 'mid-2', priority: 0 },
        { payload: 'low-2', priority: -5 },
        { payload: 'high-2', priority: 10 },
        { payload: 'top', priority: MAX_PRIORITY },
        { payload: 'bottom', priority: MIN_PRIORITY },
      ]);
      const order: string[] = [];
      for (let lease = await q.dequeue(); lease !== null; lease = await q.dequeue()) order.push(lease.payload);
      expect(order).toEqual(['top', 'high-1', 'high-2', 'mid-1', 'mid-2', 'low-1', 'low-2', 'bottom']);
    });

    it('every lease carries its priority, 0 when the enqueue gave none', async () => {
      const q = (await h.backend()).queue('prio-field');
      await q.enqueue('plain', { id: 'plain' });
      await q.enqueue('urgent', { id: 'urgent', priority: 7 });
      const [first, second] = await q.dequeueMany(2);
      expect(first).toMatchObject({ id: 'urgent', priority: 7 });
      expect(second).toMatchObject({ id: 'plain', priority: 0 });
    });

    it('dequeueMany takes across priorities in order', async () => {
      const q = (await h.backend()).queue<number>('prio-many');
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: n, priority: 1 })));
      await q.enqueueMany([4, 5].map((n) => ({ payload: n, priority: 2 })));
      expect((await q.dequeueMany(4)).map((l) => l.payload)).toEqual([4, 5, 1, 2]);
      expect((await q.dequeueMany(4)).map((l) => l.payload)).toEqual([3]);
    });

    it('a retried task keeps its priority and goes behind the tasks already waiting at that priority', async () => {
      const q = (await h.backend()).queue<string>('prio-retry', { maxAttempts: 2 });
      await q.enqueueMany([
        { payload: 'a', id: 'a', priority: 3 },
        { payload: 'b', id: 'b', priority: 3 },
        { payload: 'low', id: 'low', priority: 1 },
      ]);
      const a = (await q.dequeue())!;
      expect(await q.fail(a, new Error('again'), { retryInMs: 0 })).toBe('retry');
      const order: string[] = [];
      for (let lease = await q.dequeue(); lease !== null; lease = await q.dequeue()) {
        order.push(`${lease.id}@${lease.priority}`);
        if (lease.id === 'a') expect(await q.fail(lease, new Error('dies'))).toBe('dead');
      }
      expect(order).toEqual(['b@3', 'a@3', 'low@1']);
      expect((await q.deadLetters())[0]).toMatchObject({ id: 'a', priority: 3 });
    });

    it('a delayed task keeps its priority when it falls due, ahead of lower tasks that waited longer', async () => {
      const q = (await h.backend()).queue<string>('prio-delay');
      await q.enqueue('later-but-urgent', { delayMs: 2 * h.unit, priority: 5 });
      await q.enqueueMany([{ payload: 'old-1' }, { payload: 'old-2' }]);
      await h.advance(3 * h.unit);
      const leases = await q.dequeueMany(3);
      expect(leases.map((l) => l.payload)).toEqual(['later-but-urgent', 'old-1', 'old-2']);
      expect(leases[0]!.priority).toBe(5);
    });

    it('a recovered lease goes to the front of its own priority, not ahead of a higher one', async () => {
      const q = (await h.backend()).queue<string>('prio-recover', { visibilityTimeoutMs: h.unit });
      await q.enqueue('stalls', { id: 'stalls', priority: 2 });
      expect((await q.dequeue())!.id).toBe('stalls');
      await q.enqueueMany([
        { payload: 'same', id: 'same', priority: 2 },
        { payload: 'higher', id: 'higher', priority: 9 },
        { payload: 'lower', id: 'lower', priority: 0 },
      ]);
      await h.advance(2 * h.unit);
      expect(await q.recoverStalled()).toBe(1);
      const order: string[] = [];
      for (let lease = await q.dequeue(); lease !== null; lease = await q.dequeue()) order.push(lease.id);
      expect(order).toEqual(['higher', 'stalls', 'same', 'lower']);
    });

    it('a blocked dequeue is handed the highest priority of what arrives', async () => {
      const [producer, consumer] = [await h.backend(), await h.backend()];
      const waiting = consumer.queue<string>('prio-wake').dequeue({ waitMs: 20 * h.unit });
      await h.advance(h.unit);
      await producer.queue<string>('prio-wake').enqueueMany([
        { payload: 'low', priority: -1 },
        { payload: 'high', priority: 1 },
      ]);
      expect((await waiting)?.payload).toBe('high');
    });

    it('a priority that is not an integer in [-1,000,000, 1,000,000] is refused and nothing is stored', async () => {
      const q = (await h.backend()).queue('prio-bad');
      for (const priority of [MAX_PRIORITY + 1, MIN_PRIORITY - 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
        const error = await q.enqueue('x', { priority }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, String(priority)).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message, String(priority)).toMatch(/priority/);
      }
      await expect(q.enqueueMany([{ payload: 1 }, { payload: 2, priority: 0.5 }])).rejects.toThrow(/items\[1\]\.priority/);
      expect((await q.stats()).waiting).toBe(0);
    });
  });
}
