import { expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import type { QueueEvent } from '../interfaces/index.js';
import { describeNeeding, type ConformanceCapabilities, type Harness } from './harness.js';

/** queue.cancel: from any node, in every state, recorded for the retention of finished ids. */
export function cancelConformance(h: Harness, caps: ConformanceCapabilities): void {
  describeNeeding(caps, 'cancel')('queue: cancellation', () => {
    it('a cancelled waiting or delayed task is removed and never delivered; enqueueing its id says cancelled', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue<string>('cancel-pending');
      await q.enqueueMany([
        { payload: 'w', id: 'waiting' },
        { payload: 'd', id: 'delayed', delayMs: 2 * h.unit },
        { payload: 'k', id: 'kept' },
      ]);
      const other = b2.queue<string>('cancel-pending');
      expect(await other.cancel('waiting', 'not needed')).toBe('cancelled');
      expect(await other.cancel('delayed')).toBe('cancelled');
      expect(await q.stats()).toMatchObject({ waiting: 1, delayed: 0, active: 0 });
      await h.advance(3 * h.unit);
      expect((await q.dequeueMany(10)).map((l) => l.id)).toEqual(['kept']);
      expect(await q.enqueue('again', { id: 'waiting' })).toEqual({ id: 'waiting', status: 'cancelled' });
      expect(await q.enqueueMany([{ payload: 'again', id: 'delayed' }])).toEqual([{ id: 'delayed', status: 'cancelled' }]);
      expect(await q.dequeue()).toBeNull();
    });

    it("an active task's holder can no longer complete, fail, extend or report progress, and it is never retried", async () => {
      const q = (await h.backend()).queue('cancel-active', { visibilityTimeoutMs: 2 * h.unit, maxAttempts: 3 });
      await q.enqueueMany([
        { payload: 1, id: 'a' },
        { payload: 2, id: 'b' },
        { payload: 3, id: 'c' },
      ]);
      const [a, b, c] = await q.dequeueMany(3);
      expect(await q.cancel('a')).toBe('cancelled');
      expect(await q.cancel('b')).toBe('cancelled');
      expect(await q.cancel('c')).toBe('cancelled');
      expect(await q.stats()).toMatchObject({ active: 0, waiting: 0, delayed: 0, dead: 0 });
      expect(await q.complete(a!)).toBe(false);
      expect(await q.fail(b!, new Error('late'))).toBe('lost');
      expect(await q.extend(c!, 5 * h.unit)).toBe(false);
      if (caps.progress) expect(await q.progress(c!, 'late')).toBe(false);
      expect(await q.isFinished('a')).toBe(false);
      await h.advance(3 * h.unit);
      expect(await q.recoverStalled()).toBe(0);
      expect(await q.dequeue()).toBeNull();
      expect(await q.deadLetters()).toEqual([]);
    });

    it('cancel answers already-cancelled, finished, dead and not-found, and changes nothing then', async () => {
      const q = (await h.backend()).queue('cancel-answers', { maxAttempts: 1 });
      await q.enqueueMany([
        { payload: 1, id: 'done' },
        { payload: 2, id: 'died' },
        { payload: 3, id: 'gone' },
      ]);
      const [done, died] = await q.dequeueMany(2);
      await q.complete(done!);
      await q.fail(died!, new Error('x'));
      expect(await q.cancel('gone')).toBe('cancelled');
      expect(await q.cancel('gone')).toBe('already-cancelled');
      expect(await q.cancel('done')).toBe('finished');
      expect(await q.cancel('died')).toBe('dead');
      expect(await q.cancel('never-enqueued')).toBe('not-found');
      expect(await q.isFinished('done')).toBe(true);
      expect((await q.deadLetters()).map((t) => t.id)).toEqual(['died']);
    });

    it('a cancellation is forgotten after retainFinishedMs, and the id can be queued again', async () => {
      const q = (await h.backend()).queue('cancel-retention', { retainFinishedMs: 3 * h.unit });
      await q.enqueue('x', { id: 'c' });
      expect(await q.cancel('c')).toBe('cancelled');
      await h.advance(2 * h.unit);
      expect((await q.enqueue('x', { id: 'c' })).status).toBe('cancelled');
      await h.advance(2 * h.unit);
      expect(await q.cancel('c')).toBe('not-found');
      expect((await q.enqueue('y', { id: 'c' })).status).toBe('queued');
      expect((await q.dequeue())!.payload).toBe('y');
    });

    it('a reason must be a string of at most 2,000 characters', async () => {
      const q = (await h.backend()).queue('cancel-args');
      await q.enqueue('x', { id: 'r' });
      await expect(q.cancel('r', 'x'.repeat(2_001))).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(q.cancel('r', 42 as unknown as string)).rejects.toThrow(/reason/);
      await expect(q.cancel('')).rejects.toThrow(/id/);
      expect(await q.cancel('r', 'x'.repeat(2_000))).toBe('cancelled');
    });
  });

  describeNeeding(
    caps,
    'cancel',
    'results',
  )('queue: cancellation outcomes', () => {
    it('a cancelled task has a cancelled outcome with its reason, and no result', async () => {
      const q = (await h.backend()).queue('cancel-outcome');
      await q.enqueueMany([
        { payload: 1, id: 'with' },
        { payload: 2, id: 'without' },
      ]);
      await q.dequeue();
      expect(await q.cancel('with', 'user asked')).toBe('cancelled');
      expect(await q.cancel('without')).toBe('cancelled');
      expect(await q.outcome('with')).toEqual({ state: 'cancelled', reason: 'user asked' });
      expect(await q.outcome('without')).toEqual({ state: 'cancelled', reason: undefined });
      expect(await q.result('with')).toBeUndefined();
    });
  });

  describeNeeding(
    caps,
    'cancel',
    'events',
  )('queue: cancellation events', () => {
    it('watchers on every node get cancelled, with the state it was cancelled in and the reason', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const events: QueueEvent[] = [];
      const stop = b1.queue('cancel-events').watch((e) => events.push(e), { types: ['cancelled'] });
      await stop.ready;
      const q = b2.queue('cancel-events');
      await q.enqueueMany([
        { payload: 1, id: 'run' },
        { payload: 2, id: 'wait' },
        { payload: 3, id: 'later', delayMs: 10 * h.unit },
      ]);
      await q.dequeue();
      await q.cancel('run', 'stop it');
      await q.cancel('wait');
      await q.cancel('later', 'no longer');
      await q.cancel('wait');
      await h.eventually(() => expect(events).toHaveLength(3), 20 * h.unit);
      expect(events.map(({ at: _at, ...e }) => e)).toEqual([
        { type: 'cancelled', queue: 'cancel-events', id: 'run', from: 'active', reason: 'stop it' },
        { type: 'cancelled', queue: 'cancel-events', id: 'wait', from: 'waiting' },
        { type: 'cancelled', queue: 'cancel-events', id: 'later', from: 'delayed', reason: 'no longer' },
      ]);
      stop();
    });
  });

  describeNeeding(
    caps,
    'cancel',
    'results',
    'events',
  )('queue: cancellation ends waits', () => {
    it('waitFor on another node is woken by the cancellation', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q = b1.queue('cancel-wait');
      await q.enqueue('x', { id: 'w' });
      const waiting = b2.queue('cancel-wait').waitFor('w', { timeoutMs: 100 * h.unit });
      await h.advance(h.unit);
      await q.cancel('w', 'changed my mind');
      expect(await h.promptly(waiting, 'the cancellation waking waitFor')).toEqual({ state: 'cancelled', reason: 'changed my mind' });
    });
  });
}
