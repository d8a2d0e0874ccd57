import { describe, expect, it } from 'vitest';
import type { Lease, Queue } from '../interfaces/index.js';
import { MAX_LIMIT, MAX_RATE_WINDOW_MS } from '../queue/index.js';
import { describeNeeding, flush, type ConformanceCapabilities, type Harness } from './harness.js';

/** A worker's dequeue loop that counts its dequeue calls, as a worker pool runs one. */
interface CountingWorker {
  /** Dequeue calls made so far. */
  readonly calls: number;
  /** The lease it got, once it got one. */
  readonly lease: Lease | undefined;
  /** Resolves with the lease. */
  readonly done: Promise<Lease>;
}

/** Dequeues with `waitMs` until it gets a task, counting the calls: a refused call that returned early would show as more calls. */
function countingWorker(queue: Queue, waitMs: number): CountingWorker {
  const state = { calls: 0, lease: undefined as Lease | undefined, done: undefined as unknown as Promise<Lease> };
  state.done = (async () => {
    for (;;) {
      state.calls++;
      const lease = await queue.dequeue({ waitMs });
      if (lease) {
        state.lease = lease;
        return lease;
      }
      // a dequeue that answers before its wait is over would spin a worker: give up loudly, and let timers run meanwhile
      if (state.calls >= 50) throw new Error(`dequeue returned nothing ${state.calls} times before its wait was over`);
      await flush();
    }
  })();
  return state;
}

/** QueueOptions.limits: cluster-wide concurrency and rate limits, enforced in the lease step. */
export function limitsConformance(h: Harness, caps: ConformanceCapabilities): void {
  describe('queue: limits (options)', () => {
    it('bad limits are an InvalidArgumentError naming the field, at backend.queue', async () => {
      const b = await h.backend();
      const bad: Array<[unknown, string]> = [
        ['two', 'options.limits'],
        [{ concurrency: 0 }, 'options.limits.concurrency'],
        [{ concurrency: 1.5 }, 'options.limits.concurrency'],
        [{ concurrency: MAX_LIMIT + 1 }, 'options.limits.concurrency'],
        [{ rate: 10 }, 'options.limits.rate'],
        [{ rate: { max: 10 } }, 'options.limits.rate'],
        [{ rate: { max: 0, perMs: 1_000 } }, 'options.limits.rate.max'],
        [{ rate: { max: 10, perMs: -1 } }, 'options.limits.rate.perMs'],
        [{ rate: { max: 10, perMs: MAX_RATE_WINDOW_MS + 1 } }, 'options.limits.rate.perMs'],
      ];
      for (const [limits, argument] of bad) {
        expect(() => b.queue('limits-bad', { limits: limits as never }), JSON.stringify(limits)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
        );
      }
    });

    if (!caps.limits) {
      it('a backend without the limits capability refuses them with NotSupportedError instead of ignoring them', async () => {
        const b = await h.backend();
        expect(() => b.queue('limits-unsupported', { limits: { concurrency: 1 } })).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
        // no limits, or an empty object, is the plain queue
        expect(b.queue('limits-unsupported', { limits: {} }).name).toBe('limits-unsupported');
      });
    }
  });

  describeNeeding(caps, 'limits')('queue: limits', () => {
    it('two nodes sharing one queue hold at most `concurrency` leases; complete, fail and cancel free a slot', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const options = { limits: { concurrency: 2 } };
      const q1 = b1.queue<number>('limits-concurrency', options);
      const q2 = b2.queue<number>('limits-concurrency', options);
      await q1.enqueueMany([1, 2, 3, 4, 5, 6].map((n) => ({ payload: n, id: `t${n}` })));
      const [a, b] = await q1.dequeueMany(5);
      expect([a?.id, b?.id]).toEqual(['t1', 't2']);
      expect(await q2.dequeueMany(5)).toEqual([]);
      expect(await q1.dequeue()).toBeNull();
      expect(await q2.stats()).toMatchObject({ waiting: 4, active: 2 });

      expect(await q1.complete(a!)).toBe(true);
      const [c, more] = await q2.dequeueMany(5);
      expect([c?.id, more]).toEqual(['t3', undefined]);
      expect(await q1.dequeue()).toBeNull();

      expect(await q2.fail(b!, new Error('again'), { retryInMs: 0 })).toBe('retry');
      // the retry waits behind the tasks already ready
      const [d] = await q1.dequeueMany(5);
      expect(d?.id).toBe('t4');
      expect(await q2.dequeue()).toBeNull();

      if (caps.cancel) {
        expect(await q2.cancel('t3')).toBe('cancelled');
        expect((await q2.dequeue())?.id).toBe('t5');
        expect(await q1.dequeue()).toBeNull();
      }
    });

    it('workers on two nodes never run more than `concurrency` tasks at once, and all tasks run', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const concurrency = 3;
      const queues = [b1, b2].map((b) => b.queue<number>('limits-workers', { limits: { concurrency } }));
      const total = 12;
      await queues[0]!.enqueueMany(Array.from({ length: total }, (_, i) => ({ payload: i })));
      let running = 0;
      let most = 0;
      let finished = 0;
      const stop = new AbortController();
      // three workers per node, each taking up to two tasks per call
      const workers = queues.flatMap((q) =>
        [0, 1, 2].map(async () => {
          let empty = 0;
          while (!stop.signal.aborted) {
            const leases = await q.dequeueMany(2, { waitMs: 5 * h.unit, signal: stop.signal });
            // a dequeue that answers before its wait is over would spin: give up loudly instead
            if (leases.length === 0 && ++empty > 20) throw new Error('dequeue keeps answering nothing before its wait is over');
            running += leases.length;
            most = Math.max(most, running);
            await Promise.all(
              leases.map(async (lease) => {
                await h.clock.sleep(h.unit);
                running--;
                if (await q.complete(lease)) finished++;
              }),
            );
          }
        }),
      );
      try {
        await h.eventually(() => expect(finished).toBe(total), 40 * h.unit);
      } finally {
        stop.abort();
        await Promise.all(workers);
      }
      expect(most).toBeLessThanOrEqual(concurrency);
      expect(most).toBe(concurrency);
    });

    it('at most `rate.max` leases start per window across nodes; the next window allows as many again', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const options = { limits: { rate: { max: 2, perMs: 10 * h.unit } } };
      const q1 = b1.queue<number>('limits-rate', options);
      const q2 = b2.queue<number>('limits-rate', options);
      await q1.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ payload: n, id: `r${n}` })));
      const first = await q1.dequeueMany(5);
      expect(first.map((l) => l.id)).toEqual(['r1', 'r2']);
      // completing does not give a start back
      for (const lease of first) expect(await q1.complete(lease)).toBe(true);
      expect(await q2.dequeueMany(5)).toEqual([]);
      expect(await q1.dequeue()).toBeNull();
      await h.advance(4 * h.unit);
      expect(await q2.dequeue()).toBeNull();
      const second: Lease[] = [];
      await h.eventually(async () => {
        second.push(...(await q2.dequeueMany(5)));
        expect(second.length).toBeGreaterThan(0);
      }, 10 * h.unit);
      second.push(...(await q1.dequeueMany(5)));
      expect(second.map((l) => l.id)).toEqual(['r3', 'r4']);
      expect(await q2.stats()).toMatchObject({ waiting: 1, active: 2 });
    });

    it('a dequeue the rate refused waits for the window to end, without returning early or polling', async () => {
      const b = await h.backend();
      const q = b.queue<number>('limits-rate-wait', { limits: { rate: { max: 1, perMs: 6 * h.unit } } });
      await q.enqueueMany([
        { payload: 1, id: 'now' },
        { payload: 2, id: 'next' },
      ]);
      expect((await q.dequeue())?.id).toBe('now');
      const worker = countingWorker(b.queue('limits-rate-wait', { limits: { rate: { max: 1, perMs: 6 * h.unit } } }), 100 * h.unit);
      await h.advance(3 * h.unit);
      expect(worker.lease).toBeUndefined();
      await h.eventually(() => expect(worker.lease?.id).toBe('next'), 6 * h.unit);
      expect(worker.calls).toBe(1);
      await worker.done;
    });

    it('a dequeue held back by concurrency is woken at once by a completion, fail or cancel on another node', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const ends: Array<[string, (q: Queue<number>, lease: Lease<number>) => Promise<unknown>]> = [
        ['complete', (q, lease) => q.complete(lease)],
        ['fail', (q, lease) => q.fail(lease, new Error('no'), { retryInMs: 50 * h.unit })],
      ];
      if (caps.cancel) ends.push(['cancel', (q, lease) => q.cancel(lease.id)]);
      for (const [how, end] of ends) {
        const name = `limits-wake-${how}`;
        const q1 = b1.queue<number>(name, { limits: { concurrency: 1 } });
        await q1.enqueueMany([
          { payload: 1, id: 'held' },
          { payload: 2, id: 'waits' },
        ]);
        const held = (await q1.dequeue())!;
        const worker = countingWorker(b2.queue(name, { limits: { concurrency: 1 } }), 100 * h.unit);
        await h.advance(2 * h.unit);
        expect(worker.lease, how).toBeUndefined();
        await end(q1, held);
        expect((await h.promptly(worker.done, `the held-back dequeue being served after ${how}`)).id, how).toBe('waits');
        expect(worker.calls, how).toBe(1);
      }
    });

    it('an expired lease frees its slot at its deadline (before any recoverStalled); an extended one keeps it', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const options = { visibilityTimeoutMs: 3 * h.unit, limits: { concurrency: 1 } };
      const q1 = b1.queue<number>('limits-expiry', options);
      await q1.enqueueMany([
        { payload: 1, id: 'stalls' },
        { payload: 2, id: 'waits' },
      ]);
      const stalls = (await q1.dequeue())!;
      const worker = countingWorker(b2.queue('limits-expiry', options), 100 * h.unit);
      await h.advance(h.unit);
      expect(await q1.extend(stalls, 4 * h.unit)).toBe(true);
      // past the first deadline, before the extended one
      await h.advance(3 * h.unit);
      expect(worker.lease).toBeUndefined();
      await h.eventually(() => expect(worker.lease?.id).toBe('waits'), 4 * h.unit);
      expect(worker.calls).toBe(1);
      expect(await q1.stats()).toMatchObject({ active: 2, waiting: 0 });
      await worker.done;
    });

    it('one limit for the whole queue when it is sharded', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const options = { shards: 4, limits: { concurrency: 3, rate: { max: 5, perMs: 100 * h.unit } } };
      const q1 = b1.queue<number>('limits-sharded', options);
      const q2 = b2.queue<number>('limits-sharded', options);
      await q1.enqueueMany(Array.from({ length: 16 }, (_, i) => ({ payload: i, id: `s${i}` })));
      const leases = [...(await q1.dequeueMany(10)), ...(await q2.dequeueMany(10))];
      expect(leases).toHaveLength(3);
      expect(await q1.stats()).toMatchObject({ active: 3, waiting: 13 });
      for (const lease of leases) expect(await q2.complete(lease)).toBe(true);
      // two more starts are left in the window, whatever the shards
      const next = [...(await q2.dequeueMany(10)), ...(await q1.dequeueMany(10))];
      expect(next).toHaveLength(2);
      for (const lease of next) expect(await q1.complete(lease)).toBe(true);
      expect(await q1.dequeueMany(10)).toEqual([]);
      expect(await q2.stats()).toMatchObject({ active: 0, waiting: 11 });
    });

    it('a refused call with no wait answers at once, and a queue without limits on the same backend is not held back', async () => {
      const b = await h.backend();
      const limited = b.queue<number>('limits-one', { limits: { concurrency: 1 } });
      const free = b.queue<number>('limits-none');
      await limited.enqueueMany([{ payload: 1 }, { payload: 2 }]);
      await free.enqueueMany([{ payload: 1 }, { payload: 2 }]);
      expect(await limited.dequeueMany(2)).toHaveLength(1);
      expect(await h.promptly(limited.dequeueMany(2), 'a refused dequeue without waitMs')).toEqual([]);
      expect(await free.dequeueMany(2)).toHaveLength(2);
    });
  });
}
