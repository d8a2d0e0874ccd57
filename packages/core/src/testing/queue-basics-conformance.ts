import { describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';

/** FIFO delivery, leases, idempotent enqueue, batches, blocking waits and stats. */
export function queueBasicsConformance(h: Harness): void {
  describe('queue: delivery', () => {
    it('a dequeued task carries its payload, id, attempt 1, enqueue time, token and deadline', async () => {
      const q = (await h.backend()).queue<{ n: number }>('jobs', { visibilityTimeoutMs: 5 * h.unit });
      const before = h.clock.now();
      const { id, status } = await q.enqueue({ n: 1 }, { id: 'task-1' });
      expect({ id, status }).toEqual({ id: 'task-1', status: 'queued' });
      const lease = await q.dequeue();
      expect(lease).not.toBeNull();
      expect(lease!.id).toBe('task-1');
      expect(lease!.payload).toEqual({ n: 1 });
      expect(lease!.attempt).toBe(1);
      expect(lease!.enqueuedAt).toBeGreaterThanOrEqual(before);
      expect(lease!.enqueuedAt).toBeLessThanOrEqual(h.clock.now());
      expect(typeof lease!.token).toBe('string');
      expect(lease!.token.length).toBeGreaterThan(8);
      expect(lease!.deadline - lease!.enqueuedAt).toBeGreaterThanOrEqual(5 * h.unit);
      expect(lease!.deadline).toBeLessThanOrEqual(h.clock.now() + 5 * h.unit);
    });

    it('ready tasks are served first in, first out', async () => {
      const q = (await h.backend()).queue<number>('fifo');
      for (let i = 0; i < 6; i++) await q.enqueue(i);
      const order: number[] = [];
      for (let i = 0; i < 6; i++) order.push((await q.dequeue())!.payload);
      expect(order).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await q.dequeue()).toBeNull();
    });

    it('payloads come back exactly as they were sent', async () => {
      const q = (await h.backend()).queue('payloads');
      const payloads = [
        { nested: { list: [1, 'two', null, true, { deep: -0.5 }] }, empty: {}, arr: [] },
        'plain string with "quotes", \\backslashes\\ and ünïcödé ✓ 🚀',
        42,
        -1.25e-7,
        true,
        null,
        [],
        '',
      ];
      for (const p of payloads) await q.enqueue(p);
      for (const p of payloads) expect((await q.dequeue())!.payload).toEqual(p);
    });

    it('enqueue without an id generates a distinct id for each task', async () => {
      const q = (await h.backend()).queue('ids');
      const a = await q.enqueue('a');
      const b = await q.enqueue('a');
      expect(a.status).toBe('queued');
      expect(b.status).toBe('queued');
      expect(a.id).not.toBe(b.id);
      expect((await q.stats()).waiting).toBe(2);
    });

    it('a task is delivered to one worker only, across nodes of one deployment', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q1 = b1.queue<number>('shared');
      const q2 = b2.queue<number>('shared');
      for (let i = 0; i < 20; i++) await q1.enqueue(i, { id: `t${i}` });
      const seen: string[] = [];
      for (;;) {
        const [l1, l2] = await Promise.all([q1.dequeue(), q2.dequeue()]);
        if (!l1 && !l2) break;
        for (const l of [l1, l2]) if (l) seen.push(l.id);
      }
      expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
    });

    it('queues with different names do not share tasks', async () => {
      const b = await h.backend();
      await b.queue('left').enqueue('L', { id: 'same-id' });
      expect((await b.queue('right').enqueue('R', { id: 'same-id' })).status).toBe('queued');
      expect((await b.queue('left').dequeue())!.payload).toBe('L');
      expect((await b.queue('right').dequeue())!.payload).toBe('R');
    });
  });

  describe('queue: idempotent enqueue and the finished set', () => {
    it('enqueueing an id that is waiting, delayed or leased is a duplicate and changes nothing', async () => {
      const q = (await h.backend()).queue('dedup');
      await q.enqueue('first', { id: 'w' });
      expect(await q.enqueue('second', { id: 'w' })).toEqual({ id: 'w', status: 'duplicate' });
      await q.enqueue('later', { id: 'd', delayMs: 10 * h.unit });
      expect((await q.enqueue('again', { id: 'd' })).status).toBe('duplicate');
      const lease = await q.dequeue();
      expect(lease!.payload).toBe('first');
      expect((await q.enqueue('again', { id: 'w' })).status).toBe('duplicate');
      expect(await q.stats()).toMatchObject({ waiting: 0, active: 1, delayed: 1 });
    });

    it('a completed id is finished: re-enqueue says so and it is never delivered again', async () => {
      const q = (await h.backend()).queue('finished');
      await q.enqueue('x', { id: 'job-1' });
      const lease = await q.dequeue();
      expect(await q.isFinished('job-1')).toBe(false);
      expect(await q.complete(lease!)).toBe(true);
      expect(await q.isFinished('job-1')).toBe(true);
      expect(await q.enqueue('x', { id: 'job-1' })).toEqual({ id: 'job-1', status: 'finished' });
      expect(await q.dequeue()).toBeNull();
      expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    });

    it('finished ids are forgotten after retainFinishedMs, so the id can be queued again', async () => {
      const q = (await h.backend()).queue('retention', { retainFinishedMs: 3 * h.unit });
      await q.enqueue('x', { id: 'r' });
      await q.complete((await q.dequeue())!);
      await h.advance(2 * h.unit);
      expect(await q.isFinished('r')).toBe(true);
      await h.advance(2 * h.unit);
      expect(await q.isFinished('r')).toBe(false);
      expect((await q.enqueue('x', { id: 'r' })).status).toBe('queued');
      expect((await q.dequeue())!.id).toBe('r');
    });

    it('completing the same lease twice succeeds once', async () => {
      const q = (await h.backend()).queue('twice');
      await q.enqueue('x');
      const lease = (await q.dequeue())!;
      expect(await q.complete(lease)).toBe(true);
      expect(await q.complete(lease)).toBe(false);
      expect(await q.fail(lease, new Error('late'))).toBe('lost');
      expect(await q.extend(lease, h.unit)).toBe(false);
    });
  });

  describe('queue: batches', () => {
    it('enqueueMany reports each item in input order, a repeated id in one batch is a duplicate', async () => {
      const q = (await h.backend()).queue<string>('many');
      await q.enqueue('old', { id: 'known' });
      const results = await q.enqueueMany([
        { payload: 'a', id: 'a' },
        { payload: 'b' },
        { payload: 'dup', id: 'a' },
        { payload: 'k', id: 'known' },
        { payload: 'later', id: 'late', delayMs: 5 * h.unit },
      ]);
      expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'duplicate', 'duplicate', 'queued']);
      expect(results[0]!.id).toBe('a');
      expect(typeof results[1]!.id).toBe('string');
      expect(await q.stats()).toMatchObject({ waiting: 3, delayed: 1 });
      expect(await q.enqueueMany([])).toEqual([]);
    });

    it('dequeueMany leases up to max tasks in FIFO order', async () => {
      const q = (await h.backend()).queue<number>('batch');
      await q.enqueueMany(Array.from({ length: 7 }, (_, i) => ({ payload: i })));
      const first = await q.dequeueMany(5);
      expect(first.map((l) => l.payload)).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(first.map((l) => l.token)).size).toBe(5);
      const rest = await q.dequeueMany(5);
      expect(rest.map((l) => l.payload)).toEqual([5, 6]);
      expect(await q.dequeueMany(3)).toEqual([]);
      expect((await q.stats()).active).toBe(7);
    });
  });

  describe('queue: waiting for work', () => {
    it('dequeue with waitMs is woken by an enqueue, before the wait runs out', async () => {
      const [producer, consumer] = [await h.backend(), await h.backend()];
      const started = h.clock.now();
      const pending = consumer.queue<string>('wake').dequeue({ waitMs: 20 * h.unit });
      await h.advance(h.unit);
      await producer.queue<string>('wake').enqueue('hello');
      const lease = await pending;
      expect(lease?.payload).toBe('hello');
      expect(h.clock.now() - started).toBeLessThan(20 * h.unit);
    });

    it('dequeue with waitMs resolves null when nothing arrives in time', async () => {
      const q = (await h.backend()).queue('idle');
      let settled = false;
      const pending = q.dequeue({ waitMs: 3 * h.unit }).then((v) => {
        settled = true;
        return v;
      });
      await h.advance(h.unit);
      expect(settled).toBe(false);
      await h.advance(3 * h.unit);
      expect(await pending).toBeNull();
    });

    it('dequeueMany with waitMs returns as soon as one task is there', async () => {
      const q = (await h.backend()).queue<number>('wake-many');
      const pending = q.dequeueMany(10, { waitMs: 20 * h.unit });
      await h.advance(h.unit);
      await q.enqueueMany([{ payload: 1 }, { payload: 2 }]);
      const leases = await pending;
      expect(leases.length).toBeGreaterThanOrEqual(1);
      expect(leases.map((l) => l.payload)).toEqual([1, 2].slice(0, leases.length));
    });

    it('a waiting dequeue is woken when recoverStalled returns a task', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q1 = b1.queue<string>('wake-recover', { visibilityTimeoutMs: h.unit });
      const q2 = b2.queue<string>('wake-recover', { visibilityTimeoutMs: h.unit });
      await q1.enqueue('stalls', { id: 's' });
      await q1.dequeue();
      const waiting = q2.dequeue({ waitMs: 50 * h.unit });
      await h.advance(2 * h.unit);
      expect(await q1.recoverStalled()).toBe(1);
      const lease = await waiting;
      expect(lease).toMatchObject({ id: 's', attempt: 2 });
      expect(h.clock.now()).toBeLessThan(lease!.deadline);
    });

    it('a waiting dequeue is woken by a retry without delay', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const q1 = b1.queue<string>('wake-retry');
      const q2 = b2.queue<string>('wake-retry');
      await q1.enqueue('fails', { id: 'f' });
      const failing = (await q1.dequeue())!;
      const waiting = q2.dequeue({ waitMs: 50 * h.unit });
      await h.advance(Math.floor(h.unit / 2));
      expect(await q1.fail(failing, new Error('again'), { retryInMs: 0 })).toBe('retry');
      const lease = await waiting;
      expect(lease).toMatchObject({ id: 'f', attempt: 2 });
      expect(lease!.lastError).toContain('again');
    });

    it('a waiting dequeue whose signal aborts resolves with nothing at once and takes nothing; a later task waits for the next dequeue', async () => {
      const [consumer, producer] = [await h.backend(), await h.backend()];
      const q = consumer.queue<string>('abort-wait');
      const stop = new AbortController();
      // a wait far longer than the test's own timeout: only the abort can end it
      const pending = q.dequeue({ waitMs: 1_000 * h.unit, signal: stop.signal });
      const many = q.dequeueMany(5, { waitMs: 1_000 * h.unit, signal: stop.signal });
      await h.advance(Math.floor(h.unit / 5));
      stop.abort();
      expect(await pending).toBeNull();
      expect(await many).toEqual([]);
      await producer.queue<string>('abort-wait').enqueue('later', { id: 'later' });
      expect(await q.stats()).toMatchObject({ waiting: 1, active: 0 });
      // an already aborted signal takes nothing, even with a task ready
      expect(await q.dequeueMany(5, { waitMs: 1_000 * h.unit, signal: AbortSignal.abort() })).toEqual([]);
      const lease = await q.dequeue({ waitMs: h.unit });
      expect(lease).toMatchObject({ id: 'later', payload: 'later', attempt: 1 });
      expect(await q.complete(lease!)).toBe(true);
    });

    it('a waiting dequeue is woken when a delayed task falls due', async () => {
      const q = (await h.backend()).queue('delayed-wake');
      await q.enqueue('soon', { delayMs: 2 * h.unit });
      const pending = q.dequeue({ waitMs: 20 * h.unit });
      await h.advance(4 * h.unit);
      const lease = await pending;
      expect(lease?.payload).toBe('soon');
    });
  });

  describe('queue: stats and dead letters', () => {
    it('stats count waiting, active, delayed and dead tasks', async () => {
      const q = (await h.backend()).queue('stats', { maxAttempts: 1 });
      await q.enqueueMany([{ payload: 1 }, { payload: 2 }, { payload: 3 }, { payload: 4, delayMs: 10 * h.unit }]);
      const [a, b] = await q.dequeueMany(2);
      expect(await q.stats()).toMatchObject({ waiting: 1, active: 2, delayed: 1, dead: 0 });
      expect(await q.fail(a!, new Error('boom'))).toBe('dead');
      await q.complete(b!);
      expect(await q.stats()).toMatchObject({ waiting: 1, active: 0, delayed: 1, dead: 1 });
    });

    it('deadLetters lists the newest first, up to the limit, with the error', async () => {
      const q = (await h.backend()).queue<string>('dlq', { maxAttempts: 1 });
      for (const id of ['d1', 'd2', 'd3']) {
        await q.enqueue(`payload-${id}`, { id });
        const lease = (await q.dequeue())!;
        expect(await q.fail(lease, new Error(`failed ${id}`))).toBe('dead');
      }
      const dead = await q.deadLetters();
      expect(dead.map((t) => t.id)).toEqual(['d3', 'd2', 'd1']);
      expect(dead[0]!.payload).toBe('payload-d3');
      expect(dead[0]!.lastError).toContain('failed d3');
      expect((await q.deadLetters(2)).map((t) => t.id)).toEqual(['d3', 'd2']);
    });
  });
}
