import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LockLostError, LockTimeoutError, SemaphoreLimitError } from '../errors/index.js';
import type { SemaphoreHandle, SemaphoreManager } from '../interfaces/index.js';
import { MAX_PERMITS } from '../locks/index.js';
import { longName, type ConformanceCapabilities, type Harness } from './harness.js';

/** Resolves once `resource` has `count` waiters in line (moving time while it looks). */
async function waitersInLine(h: Harness, semaphores: SemaphoreManager, resource: string, count: number): Promise<void> {
  await h.eventually(async () => expect((await semaphores.inspect(resource)).waiters).toHaveLength(count), 20 * h.unit);
}

/** Exclusion, handles, fences, expiry, lost signals, waiting, inspect and bad input of counting semaphores. */
export function semaphoreConformance(h: Harness, caps: ConformanceCapabilities): void {
  const skipped = caps.semaphores ? '' : ' (skipped: backend declares no semaphores)';

  describe.skipIf(!caps.semaphores)(`semaphores${skipped}`, () => {
    it('never more than `limit` permits are held at once; given-back permits are free again', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const s1 = b1.semaphores({ limit: 3, ttlMs: 10 * h.unit });
      const s2 = b2.semaphores({ limit: 3, ttlMs: 10 * h.unit });
      const two = await s1.acquire('sem', { permits: 2, waitMs: 0 });
      expect(two.resource).toBe('sem');
      expect(two.token).toMatch(/^[0-9a-f]{16,}$/);
      expect([two.permits, two.limit]).toEqual([2, 3]);
      expect(Number.isInteger(two.fence) && two.fence > 0).toBe(true);
      const one = (await s2.tryAcquire('sem'))!;
      expect(one).not.toBeNull();
      expect(await s1.tryAcquire('sem')).toBeNull();
      expect(await s2.tryAcquire('sem', { permits: 2 })).toBeNull();
      const timeout = await s2.acquire('sem', { waitMs: 0 }).catch((e: unknown) => e);
      expect(timeout).toBeInstanceOf(LockTimeoutError);
      expect((timeout as LockTimeoutError).message).toContain('Semaphore "sem"');
      expect(await s2.tryAcquire('other-sem', { permits: 3 })).not.toBeNull();
      expect(await two.release()).toBe(true);
      expect(await two.release()).toBe(false);
      const again = (await s1.tryAcquire('sem', { permits: 2 }))!;
      expect(again).not.toBeNull();
      expect(await s2.tryAcquire('sem')).toBeNull();
      expect(await one.release()).toBe(true);
      expect(await again.release()).toBe(true);
      expect(await s2.tryAcquire('sem', { permits: 3 })).not.toBeNull();
    });

    it('the fence grows with every acquisition, across release and expiry; holders at the same time have different fences', async () => {
      const semaphores = (await h.backend()).semaphores({ limit: 2 });
      const fences: number[] = [];
      const a = await semaphores.acquire('fenced', { ttlMs: 10 * h.unit });
      const b = await semaphores.acquire('fenced', { ttlMs: 2 * h.unit });
      fences.push(a.fence, b.fence);
      await a.release();
      await h.advance(3 * h.unit);
      const c = await semaphores.acquire('fenced', { permits: 2, ttlMs: 10 * h.unit, waitMs: 0 });
      fences.push(c.fence);
      await c.release();
      fences.push((await semaphores.acquire('fenced', { ttlMs: h.unit })).fence);
      for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
    });

    it("a grant that runs out of TTL gives its permits back: a crashed holder's permits are not leaked", async () => {
      const [crashing, b2] = [await h.backend(), await h.backend()];
      await crashing.semaphores({ limit: 2 }).acquire('crash', { permits: 2, ttlMs: 3 * h.unit });
      await crashing.close();
      const semaphores = b2.semaphores({ limit: 2 });
      expect(await semaphores.tryAcquire('crash')).toBeNull();
      const waiting = semaphores.acquire('crash', { permits: 2, waitMs: 20 * h.unit, ttlMs: 10 * h.unit });
      await h.advance(5 * h.unit);
      const handle = await waiting;
      expect(handle.permits).toBe(2);
      expect((await semaphores.inspect('crash')).inUse).toBe(2);
    });

    it('a holder whose grant ran out is told: its signal aborts, and its extend and release fail', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const old = await b1.semaphores({ limit: 1 }).acquire('lost', { ttlMs: 5 * h.unit });
      await h.advance(h.unit);
      expect(old.signal.aborted).toBe(false);
      expect(await b2.semaphores({ limit: 1 }).tryAcquire('lost')).toBeNull();
      await h.advance(5 * h.unit);
      expect(old.signal.aborted).toBe(true);
      expect(old.signal.reason).toBeInstanceOf(LockLostError);
      expect((old.signal.reason as LockLostError).message).toContain('Semaphore "lost"');
      const next = (await b2.semaphores({ limit: 1 }).tryAcquire('lost', { ttlMs: 10 * h.unit }))!;
      expect(next).not.toBeNull();
      expect(next.fence).toBeGreaterThan(old.fence);
      expect(await old.extend()).toBe(false);
      expect(await old.release()).toBe(false);
      expect((await b2.semaphores().inspect('lost')).inUse).toBe(1);
    });

    it('extend and autoExtend keep permits past their first TTL', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      // TTLs of several units: a loaded machine can delay a renewal by a unit or more
      const extended = await b1.semaphores({ limit: 2 }).acquire('ext', { ttlMs: 5 * h.unit });
      const auto = await b1.semaphores({ limit: 2 }).acquire('ext', { ttlMs: 4 * h.unit, autoExtend: true });
      await h.advance(2 * h.unit);
      expect(await extended.extend(8 * h.unit)).toBe(true);
      for (let i = 0; i < 3; i++) {
        await h.advance(2 * h.unit);
        expect(await b2.semaphores({ limit: 2 }).tryAcquire('ext')).toBeNull();
      }
      expect(extended.signal.aborted || auto.signal.aborted).toBe(false);
      expect(await extended.release()).toBe(true);
      expect(await auto.release()).toBe(true);
      expect(await b2.semaphores({ limit: 2 }).tryAcquire('ext', { permits: 2 })).not.toBeNull();
    });

    it("a waiter is woken when permits are given back, long before the holder's TTL", async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const holder = await b1.semaphores({ limit: 3 }).acquire('wake', { permits: 3, ttlMs: 50 * h.unit });
      const started = h.clock.now();
      const waiting = b2.semaphores({ limit: 3 }).acquire('wake', { permits: 2, waitMs: 40 * h.unit, ttlMs: 5 * h.unit });
      await waitersInLine(h, b2.semaphores(), 'wake', 1);
      await holder.release();
      const handle = await waiting;
      expect(handle.fence).toBeGreaterThan(holder.fence);
      expect(h.clock.now() - started).toBeLessThan(20 * h.unit);
    });

    it('an acquire whose signal aborts gives up at once, holds nothing and leaves the line: the waiters behind it are served', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const options = { limit: 3, ttlMs: 50 * h.unit };
      const holder = await b1.semaphores().acquire('give-up', { ...options, permits: 2 });
      const controller = new AbortController();
      const reason = new Error('shutting down');
      // a wait far longer than the test's own timeout: only the abort can end it
      const waiting = b2
        .semaphores()
        .acquire('give-up', { ...options, permits: 3, waitMs: 1_000 * h.unit, signal: controller.signal })
        .then(
          () => 'acquired',
          (e: unknown) => e,
        );
      await waitersInLine(h, b1.semaphores(), 'give-up', 1);
      const behind = b3.semaphores().acquire('give-up', { ...options, waitMs: 50 * h.unit });
      await waitersInLine(h, b1.semaphores(), 'give-up', 2);
      controller.abort(reason);
      expect(await waiting).toBe(reason);
      // the first in line left: the one behind it fits beside the holder now
      const next = await behind;
      expect(next.fence).toBe(holder.fence + 1);
      expect((await b1.semaphores().inspect('give-up')).inUse).toBe(3);
      await expect(b2.semaphores().acquire('give-up', { ...options, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect((await b1.semaphores().inspect('give-up')).waiters).toEqual([]);
    });

    it('inspect shows permits in use, holders and waiters, and never a token', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const semaphores = b1.semaphores({ limit: 3, ttlMs: 20 * h.unit });
      expect(await semaphores.inspect('seen')).toEqual({ resource: 'seen', limit: null, inUse: 0, holders: [], waiters: [] });
      // TTLs apart, so that the order by expiry does not hang on two grants made in the same ms
      const a = await semaphores.acquire('seen', { permits: 2 });
      const b = await semaphores.acquire('seen', { ttlMs: 25 * h.unit });
      const waiting = b2.semaphores({ limit: 3 }).acquire('seen', { permits: 2, waitMs: 50 * h.unit, ttlMs: 30 * h.unit });
      await waitersInLine(h, semaphores, 'seen', 1);
      const state = await b2.semaphores().inspect('seen');
      expect(state).toMatchObject({ resource: 'seen', limit: 3, inUse: 3, waiters: [{ permits: 2 }] });
      expect(state.holders.map((x) => [x.permits, x.fence])).toEqual([
        [2, a.fence],
        [1, b.fence],
      ]);
      for (const holder of state.holders) expect(holder.expiresInMs > 0 && holder.expiresInMs <= 25 * h.unit).toBe(true);
      const text = JSON.stringify(state);
      expect(text).not.toContain(a.token);
      expect(text).not.toContain(b.token);
      await a.release();
      const c = await waiting;
      expect(JSON.stringify(await semaphores.inspect('seen'))).not.toContain(c.token);
      expect((await semaphores.inspect('seen')).holders.map((x) => x.permits)).toEqual([1, 2]);
      await b.release();
      await c.release();
      expect(await semaphores.inspect('seen')).toEqual({ resource: 'seen', limit: null, inUse: 0, holders: [], waiters: [] });
    });

    it('withPermits runs the function within the limit, returns its value and gives the permits back even when it throws', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      let inside = 0;
      let maxInside = 0;
      const critical = async (handle: SemaphoreHandle): Promise<number> => {
        inside += handle.permits;
        maxInside = Math.max(maxInside, inside);
        await h.advance(h.unit);
        inside -= handle.permits;
        return handle.permits;
      };
      const options = { limit: 3, ttlMs: 5 * h.unit, waitMs: 30 * h.unit };
      const results = await Promise.all([
        b1.semaphores().withPermits('wp', critical, { ...options, permits: 2 }),
        b2.semaphores().withPermits('wp', critical, { ...options, permits: 2 }),
        b2.semaphores().withPermits('wp', critical, options),
      ]);
      expect(results).toEqual([2, 2, 1]);
      expect(maxInside).toBe(3);
      await expect(
        b1.semaphores({ limit: 3 }).withPermits('wp', async () => {
          throw new Error('inside');
        }),
      ).rejects.toThrow('inside');
      expect(await b2.semaphores({ limit: 3 }).tryAcquire('wp', { permits: 3 })).not.toBeNull();
    });

    it('await using gives the permits back at the end of the scope', async () => {
      const semaphores = (await h.backend()).semaphores({ limit: 1 });
      {
        await using handle = await semaphores.acquire('scoped', { ttlMs: 10 * h.unit });
        expect(await semaphores.tryAcquire(handle.resource)).toBeNull();
      }
      expect(await semaphores.tryAcquire('scoped')).not.toBeNull();
    });

    it('many contenders of different weights never hold more than the limit, and do hold permits together', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend()]);
      let inside = 0;
      let maxInside = 0;
      let maxHolders = 0;
      let holders = 0;
      const fences: number[] = [];
      await Promise.all(
        backends.flatMap((b, n) =>
          [1, 2].map(async (weight) => {
            for (let i = 0; i < 3; i++) {
              await b.semaphores({ limit: 4 }).withPermits(
                'contended',
                async (handle) => {
                  inside += handle.permits;
                  holders++;
                  maxInside = Math.max(maxInside, inside);
                  maxHolders = Math.max(maxHolders, holders);
                  fences.push(handle.fence);
                  await h.advance(Math.floor(h.unit / 5) * (1 + ((n + i) % 2)));
                  inside -= handle.permits;
                  holders--;
                },
                { permits: weight, ttlMs: 10 * h.unit, waitMs: 100 * h.unit },
              );
            }
          }),
        ),
      );
      expect(maxInside).toBeLessThanOrEqual(4);
      expect(maxHolders).toBeGreaterThanOrEqual(2);
      expect(fences).toHaveLength(18);
      expect(new Set(fences).size).toBe(18);
    });

    it('bad input is refused with InvalidArgumentError, and nothing is held', async () => {
      const backend = await h.backend();
      const semaphores = backend.semaphores({ limit: 3 });
      const refusals: Array<[string, () => Promise<unknown>]> = [
        ['permits above the limit', () => semaphores.acquire('bad', { permits: 4 })],
        ['permits above the limit (tryAcquire)', () => semaphores.tryAcquire('bad', { permits: 4 })],
        ['0 permits', () => semaphores.acquire('bad', { permits: 0 })],
        ['fractional permits', () => semaphores.tryAcquire('bad', { permits: 1.5 })],
        ['NaN permits', () => semaphores.acquire('bad', { permits: Number.NaN })],
        ['permits as a string', () => semaphores.acquire('bad', { permits: '2' as unknown as number })],
        ['limit 0', () => semaphores.acquire('bad', { limit: 0 })],
        ['fractional limit', () => semaphores.acquire('bad', { limit: 2.5 })],
        ['limit above MAX_PERMITS', () => semaphores.acquire('bad', { limit: MAX_PERMITS + 1 })],
        ['no limit at all', () => backend.semaphores().acquire('bad')],
        ['ttl 0', () => semaphores.acquire('bad', { ttlMs: 0 })],
        ['negative wait', () => semaphores.acquire('bad', { waitMs: -1 })],
        ['empty resource', () => semaphores.acquire('')],
        ['resource too long', () => semaphores.tryAcquire(longName(201))],
        ['options not an object', () => semaphores.acquire('bad', 5 as never)],
        ['fn not a function', () => semaphores.withPermits('bad', 'nope' as never)],
        ['limit on the manager', async () => backend.semaphores({ limit: -1 })],
      ];
      for (const [what, call] of refusals) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, what).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).code, what).toBe('INVALID_ARGUMENT');
      }
      expect(await semaphores.inspect('bad')).toMatchObject({ inUse: 0, holders: [], waiters: [] });
    });

    it('a limit that disagrees with the one in force is refused with SemaphoreLimitError; an idle semaphore takes a new limit', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const held = await b1.semaphores({ limit: 3 }).acquire('limits', { ttlMs: 5 * h.unit });
      for (const call of [() => b2.semaphores({ limit: 4 }).acquire('limits', { waitMs: 0 }), () => b2.semaphores().tryAcquire('limits', { limit: 2 })]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SemaphoreLimitError);
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as SemaphoreLimitError).code).toBe('INVALID_ARGUMENT');
        expect((error as SemaphoreLimitError).limitInForce).toBe(3);
      }
      expect((await b2.semaphores().inspect('limits')).limit).toBe(3);
      expect(await b2.semaphores({ limit: 3 }).tryAcquire('limits', { permits: 2, ttlMs: 3 * h.unit })).not.toBeNull();
      await h.advance(5 * h.unit);
      expect(held.signal.aborted).toBe(true);
      const bigger = (await b2.semaphores({ limit: 5 }).tryAcquire('limits', { permits: 5 }))!;
      expect(bigger.limit).toBe(5);
      expect((await b2.semaphores().inspect('limits')).limit).toBe(5);
    });
  });

  const fair = caps.semaphores && caps.fairSemaphoreWaiters;
  const why = !caps.semaphores
    ? ' (skipped: backend declares no semaphores)'
    : !caps.fairSemaphoreWaiters
      ? ' (skipped: backend declares no fairSemaphoreWaiters)'
      : '';
  describe.skipIf(!fair)(`semaphores: fairness${why}`, () => {
    it('weighted waiters are served in order of arrival: a later small request does not pass a waiting large one', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const options = { limit: 4, ttlMs: 30 * h.unit, waitMs: 50 * h.unit };
      const holder = await b1.semaphores().acquire('weighted', { ...options, permits: 3 });
      const order: string[] = [];
      const large = b2
        .semaphores()
        .acquire('weighted', { ...options, permits: 4 })
        .then((handle) => {
          order.push('large');
          return handle;
        });
      await waitersInLine(h, b1.semaphores(), 'weighted', 1);
      const small = b3
        .semaphores()
        .acquire('weighted', { ...options, permits: 1 })
        .then((handle) => {
          order.push('small');
          return handle;
        });
      await waitersInLine(h, b1.semaphores(), 'weighted', 2);
      // one permit is free, but the first in line wants four
      expect(await b3.semaphores().tryAcquire('weighted', { limit: 4 })).toBeNull();
      await h.advance(h.unit);
      expect(order).toEqual([]);
      expect((await b1.semaphores().inspect('weighted')).waiters).toEqual([{ permits: 4 }, { permits: 1 }]);
      await holder.release();
      const big = await large;
      await h.advance(h.unit);
      expect(order).toEqual(['large']);
      await big.release();
      await small;
      expect(order).toEqual(['large', 'small']);
    });

    it('a large request is not starved by a stream of small ones: no small request that came after it passes it', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend(), h.backend()]);
      const options = { limit: 3, ttlMs: 20 * h.unit, waitMs: 60 * h.unit };
      let stop = false;
      let smallInside = 0;
      let violations = 0;
      let largeInside = false;
      let largeInLine = false;
      let largeServed = false;
      let overtakes = 0;
      // three small holders, each taking a permit again as soon as it gave one back, staggered so
      // that permits are never all free at once unless the line holds them back
      const smalls = backends.slice(0, 3).map(async (b, n) => {
        await h.advance(Math.floor((n * h.unit) / 3));
        while (!stop) {
          const cameAfterLarge = largeInLine;
          await b.semaphores().withPermits(
            'stream',
            async () => {
              if (cameAfterLarge && !largeServed) overtakes++;
              smallInside++;
              if (largeInside) violations++;
              await h.advance(h.unit);
              smallInside--;
            },
            options,
          );
        }
      });
      await h.advance(2 * h.unit);
      const taking = backends[3]!.semaphores().withPermits(
        'stream',
        async (handle) => {
          largeServed = true;
          largeInside = true;
          if (smallInside > 0) violations++;
          await h.advance(h.unit);
          largeInside = false;
          return handle.permits;
        },
        { ...options, permits: 3 },
      );
      await h.eventually(async () => expect((await backends[3]!.semaphores().inspect('stream')).waiters).toContainEqual({ permits: 3 }), 20 * h.unit);
      largeInLine = true;
      const large = await taking;
      stop = true;
      await Promise.all(smalls);
      expect(large).toBe(3);
      expect(violations).toBe(0);
      expect(overtakes).toBe(0);
    });

    it('waiters of equal weight get permits in order of arrival', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend(), h.backend()]);
      const options = { limit: 2, waitMs: 50 * h.unit, ttlMs: 20 * h.unit };
      const holder = await backends[0]!.semaphores().acquire('fifo', { ...options, permits: 2 });
      const order: number[] = [];
      const waiters: Promise<void>[] = [];
      for (const n of [1, 2, 3]) {
        waiters.push(
          backends[n]!.semaphores()
            .acquire('fifo', { ...options, permits: 2 })
            .then(async (handle) => {
              order.push(n);
              await handle.release();
            }),
        );
        await waitersInLine(h, backends[0]!.semaphores(), 'fifo', n);
      }
      await holder.release();
      await Promise.all(waiters);
      expect(order).toEqual([1, 2, 3]);
    });
  });
}
