import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import type { Queue, QueueEvent, QueueEventType, WatchOptions } from '../interfaces/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** A watcher that records what it gets; `stop` unsubscribes. */
async function record(q: Queue<unknown>, options?: WatchOptions): Promise<{ events: QueueEvent[]; stop: () => void }> {
  const events: QueueEvent[] = [];
  const stop = q.watch((event) => events.push(event), options);
  await stop.ready;
  return { events, stop };
}

/** The events without their times, for comparing sequences. */
function untimed(events: QueueEvent[]): Array<Omit<QueueEvent, 'at'>> {
  return events.map(({ at: _at, ...rest }) => rest);
}

/** queue.watch: what each step emits, to watchers on every node, in order, filtered by type. */
export function eventsConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'events')('queue: events', () => {
    it("a watcher gets every node's events of a task's life in step order, batched per call", async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const { events } = await record(b1.queue('watched'));
      const q = b2.queue('watched', { maxAttempts: 2 });
      const before = h.clock.now();
      await q.enqueueMany([
        { payload: 1, id: 'a' },
        { payload: 2, id: 'b' },
        { payload: 3, id: 'a' },
      ]);
      const [a, b] = await q.dequeueMany(2);
      await q.complete(a!, { result: { ok: true } });
      await q.fail(b!, new Error('flaky'), { retryInMs: 0 });
      await q.fail((await q.dequeue())!, new Error('broken'));
      await h.eventually(() => expect(events.length).toBeGreaterThanOrEqual(7), 20 * h.unit);
      expect(untimed(events)).toEqual([
        { type: 'enqueued', queue: 'watched', ids: ['a', 'b'] },
        { type: 'active', queue: 'watched', ids: ['a', 'b'] },
        { type: 'completed', queue: 'watched', id: 'a', result: { ok: true } },
        { type: 'failed', queue: 'watched', id: 'b', attempt: 1, error: 'Error: flaky', willRetry: true },
        { type: 'active', queue: 'watched', ids: ['b'] },
        { type: 'failed', queue: 'watched', id: 'b', attempt: 2, error: 'Error: broken', willRetry: false },
        { type: 'dead', queue: 'watched', id: 'b', attempt: 2, error: 'Error: broken' },
      ]);
      for (const event of events) {
        expect(event.at).toBeGreaterThanOrEqual(before);
        expect(event.at).toBeLessThanOrEqual(h.clock.now());
      }
    });

    it('a lease taken back by recoverStalled emits failed (and dead on its last attempt)', async () => {
      const q = (await h.backend()).queue('watched-stall', { visibilityTimeoutMs: h.unit, maxAttempts: 2 });
      const { events } = await record(q, { types: ['failed', 'dead'] });
      await q.enqueue('x', { id: 's' });
      for (let attempt = 1; attempt <= 2; attempt++) {
        await q.dequeue();
        await h.advance(2 * h.unit);
        expect(await q.recoverStalled()).toBe(1);
      }
      await h.eventually(() => expect(events).toHaveLength(3), 20 * h.unit);
      expect(events.map((e) => [e.type, 'willRetry' in e ? e.willRetry : '-'])).toEqual([
        ['failed', true],
        ['failed', false],
        ['dead', '-'],
      ]);
      for (const event of events) expect((event as { error: string }).error).toMatch(/stall/);
    });

    it('a watcher gets only the types it asked for; a completion without result has none', async () => {
      const q = (await h.backend()).queue('filtered');
      const { events } = await record(q, { types: ['completed'] });
      const everything = await record(q);
      await q.enqueue('x', { id: 'f' });
      await q.complete((await q.dequeue())!);
      await h.eventually(() => expect(everything.events).toHaveLength(3), 20 * h.unit);
      expect(events).toHaveLength(1);
      expect(untimed(events)).toEqual([{ type: 'completed', queue: 'filtered', id: 'f' }]);
      expect('result' in events[0]!).toBe(false);
    });

    it('after unsubscribing a watcher gets nothing; a listener that throws does not stop the others', async () => {
      const q = (await h.backend()).queue('unsubscribed');
      const quiet = await record(q);
      const throwing = q.watch(() => {
        throw new Error('listener bug');
      });
      await throwing.ready;
      const loud = await record(q);
      quiet.stop();
      quiet.stop();
      await q.enqueue('x', { id: 'u' });
      await h.eventually(() => expect(loud.events).toHaveLength(1), 20 * h.unit);
      await h.advance(h.unit);
      expect(quiet.events).toEqual([]);
      throwing();
      loud.stop();
    });

    it('watch refuses a listener that is not a function and unknown event types', async () => {
      const q = (await h.backend()).queue('watch-args');
      expect(() => q.watch('nope' as never)).toThrow(InvalidArgumentError);
      expect(() => q.watch(() => undefined, { types: ['finished' as QueueEventType] })).toThrow(/options\.types/);
    });
  });
}
