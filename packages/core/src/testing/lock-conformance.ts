import { describe, expect, it } from 'vitest';
import { LockLostError, LockTimeoutError } from '../errors/index.js';
import type { ConformanceCapabilities, Harness } from './harness.js';
import type { Backend } from '../interfaces/index.js';

/** Exclusion, token-checked release and extend, fencing, expiry, waiting, auto-extension and withLock. */
export function lockConformance(h: Harness, caps: ConformanceCapabilities): void {
  describe('locks', () => {
    it('a held lock excludes every other holder until released', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const held = (await b1.locks().tryAcquire('res', { ttlMs: 10 * h.unit }))!;
      expect(held.resource).toBe('res');
      expect(held.token).toMatch(/^[0-9a-f]{16,}$/);
      expect(await b1.locks().tryAcquire('res')).toBeNull();
      expect(await b2.locks().tryAcquire('res')).toBeNull();
      await expect(b2.locks().acquire('res', { waitMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
      expect(await b2.locks().tryAcquire('other-res')).not.toBeNull();
      expect(await held.release()).toBe(true);
      expect(await held.release()).toBe(false);
      expect(await b2.locks().tryAcquire('res')).not.toBeNull();
    });

    it('the fence grows with every acquisition of a resource, across release and expiry', async () => {
      const locks = (await h.backend()).locks();
      const fences: number[] = [];
      for (let i = 0; i < 3; i++) {
        const lock = await locks.acquire('fenced', { ttlMs: 2 * h.unit });
        fences.push(lock.fence);
        await lock.release();
      }
      const expiring = await locks.acquire('fenced', { ttlMs: h.unit });
      fences.push(expiring.fence);
      await h.advance(2 * h.unit);
      fences.push((await locks.acquire('fenced', { ttlMs: h.unit, waitMs: 0 })).fence);
      for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
      expect(fences.every((f) => Number.isInteger(f) && f > 0)).toBe(true);
    });

    it('a lock that runs out of TTL is free for others; the old holder is told and its release and extend fail', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const old = await b1.locks().acquire('ttl', { ttlMs: 3 * h.unit });
      await h.advance(h.unit);
      expect(old.signal.aborted).toBe(false);
      expect(await b2.locks().tryAcquire('ttl')).toBeNull();
      await h.advance(3 * h.unit);
      expect(old.signal.aborted).toBe(true);
      expect(old.signal.reason).toBeInstanceOf(LockLostError);
      const next = (await b2.locks().tryAcquire('ttl', { ttlMs: 10 * h.unit }))!;
      expect(next).not.toBeNull();
      expect(next.fence).toBeGreaterThan(old.fence);
      expect(await old.extend()).toBe(false);
      expect(await old.release()).toBe(false);
      expect(await b1.locks().tryAcquire('ttl')).toBeNull();
    });

    it('extend keeps a lock past its first TTL', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      // the waits leave the lock 3 units and then 2 units of margin: a loaded machine's timers fire late
      const lock = await b1.locks().acquire('ext', { ttlMs: 5 * h.unit });
      await h.advance(2 * h.unit);
      expect(await lock.extend(6 * h.unit)).toBe(true);
      // past the first TTL (5 units after the acquisition), within the extended one (8)
      await h.advance(4 * h.unit);
      expect(lock.signal.aborted).toBe(false);
      expect(await b2.locks().tryAcquire('ext')).toBeNull();
      expect(await lock.release()).toBe(true);
    });

    it('autoExtend holds a lock across many TTLs until released', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const lock = await b1.locks().acquire('auto', { ttlMs: 3 * h.unit, autoExtend: true });
      for (let i = 0; i < 5; i++) {
        await h.advance(2 * h.unit);
        expect(await b2.locks().tryAcquire('auto')).toBeNull();
      }
      expect(lock.signal.aborted).toBe(false);
      expect(await lock.release()).toBe(true);
      await h.advance(4 * h.unit);
      expect(await b2.locks().tryAcquire('auto')).not.toBeNull();
    });

    it("a waiter is woken by the release, long before the holder's TTL", async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const holder = await b1.locks().acquire('wake', { ttlMs: 50 * h.unit });
      const started = h.clock.now();
      const waiting = b2.locks().acquire('wake', { waitMs: 40 * h.unit, ttlMs: 5 * h.unit });
      await h.advance(h.unit);
      await holder.release();
      const lock = await waiting;
      expect(lock.fence).toBeGreaterThan(holder.fence);
      expect(h.clock.now() - started).toBeLessThan(20 * h.unit);
      await lock.release();
    });

    it('a waiter gets a lock whose holder vanished once its TTL runs out', async () => {
      const [crashing, b2] = [await h.backend(), await h.backend()];
      await crashing.locks().acquire('vanish', { ttlMs: 3 * h.unit });
      await crashing.close();
      const waiting = b2.locks().acquire('vanish', { waitMs: 20 * h.unit });
      await h.advance(5 * h.unit);
      const lock = await waiting;
      expect(lock.resource).toBe('vanish');
    });

    it('acquire throws LockTimeoutError when waitMs runs out', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      await b1.locks().acquire('busy', { ttlMs: 50 * h.unit });
      const waiting = b2
        .locks()
        .acquire('busy', { waitMs: 2 * h.unit })
        .then(
          () => 'acquired',
          (e: unknown) => e,
        );
      await h.advance(4 * h.unit);
      const error = await waiting;
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect((error as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
      expect((error as Error).message).toContain('busy');
    });

    it('an acquire whose signal aborts gives up its wait at once, holds nothing and leaves the line', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const holder = await b1.locks().acquire('give-up', { ttlMs: 50 * h.unit });
      const controller = new AbortController();
      const reason = new Error('shutting down');
      // a wait far longer than the test's own timeout: only the abort can end it
      const waiting = b2
        .locks()
        .acquire('give-up', { waitMs: 1_000 * h.unit, signal: controller.signal })
        .then(
          () => 'acquired',
          (e: unknown) => e,
        );
      await h.advance(Math.floor(h.unit / 5));
      const behind = b3.locks().acquire('give-up', { waitMs: 50 * h.unit, ttlMs: 10 * h.unit });
      await h.advance(Math.floor(h.unit / 5));
      controller.abort(reason);
      expect(await waiting).toBe(reason);
      await holder.release();
      const next = await behind;
      expect(next.fence).toBe(holder.fence + 1);
      await next.release();
      await expect(b2.locks().acquire('give-up', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(await b2.locks().tryAcquire('give-up')).not.toBeNull();
    });

    it('withLock runs the function exclusively, returns its value and releases even when it throws', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      let inside = 0;
      let maxInside = 0;
      const critical = async (): Promise<string> => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await h.advance(h.unit);
        inside--;
        return 'done';
      };
      const results = await Promise.all([
        b1.locks().withLock('wl', critical, { ttlMs: 5 * h.unit, waitMs: 30 * h.unit }),
        b2.locks().withLock('wl', critical, { ttlMs: 5 * h.unit, waitMs: 30 * h.unit }),
      ]);
      expect(results).toEqual(['done', 'done']);
      expect(maxInside).toBe(1);
      await expect(
        b1.locks().withLock('wl', async () => {
          throw new Error('inside');
        }),
      ).rejects.toThrow('inside');
      expect(await b2.locks().tryAcquire('wl')).not.toBeNull();
    });

    it('withLock keeps the lock while the function runs longer than the TTL', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const result = await b1.locks().withLock(
        'long',
        async (lock) => {
          for (let i = 0; i < 4; i++) {
            await h.advance(2 * h.unit);
            expect(await b2.locks().tryAcquire('long')).toBeNull();
          }
          return lock.signal.aborted;
        },
        { ttlMs: 3 * h.unit },
      );
      expect(result).toBe(false);
      expect(await b2.locks().tryAcquire('long')).not.toBeNull();
    });

    it('await using releases the lock at the end of the scope', async () => {
      const locks = (await h.backend()).locks();
      {
        await using lock = await locks.acquire('scoped', { ttlMs: 10 * h.unit });
        expect(await locks.tryAcquire(lock.resource)).toBeNull();
      }
      expect(await locks.tryAcquire('scoped')).not.toBeNull();
    });

    it('many contenders never hold a lock at the same time and every fence is unique', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend()]);
      let inside = 0;
      let violations = 0;
      const fences: number[] = [];
      await Promise.all(
        backends.flatMap((b) =>
          [0, 1].map(async () => {
            for (let i = 0; i < 3; i++) {
              await b.locks().withLock(
                'contended',
                async (lock) => {
                  if (++inside > 1) violations++;
                  fences.push(lock.fence);
                  await h.advance(Math.floor(h.unit / 5));
                  inside--;
                },
                { ttlMs: 10 * h.unit, waitMs: 100 * h.unit },
              );
            }
          }),
        ),
      );
      expect(violations).toBe(0);
      expect(fences).toHaveLength(18);
      expect(new Set(fences).size).toBe(18);
      for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
    });
  });

  /**
   * Waits until `count` acquisitions are in line for `resource`: arrival is when the backend has the
   * request, which on a loaded machine can be well after the call (a fresh backend connects first).
   * Without lock inspection, gives each request a fifth of the unit to get there.
   */
  const inLine = async (backend: Backend, resource: string, count: number): Promise<void> => {
    if (!caps.lockInspection) return h.advance(Math.floor(h.unit / 5));
    await h.eventually(async () => {
      const { waiters } = await backend.locks().inspect(resource);
      if (waiters < count) throw new Error(`${waiters} of ${count} acquisitions in line for ${resource}`);
    }, 20 * h.unit);
  };

  describe.skipIf(!caps.fairLockWaiters)(`locks: fairness${caps.fairLockWaiters ? '' : ' (skipped: backend declares no fairLockWaiters)'}`, () => {
    it('waiters get the lock in order of arrival', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend(), h.backend()]);
      const holder = await backends[0]!.locks().acquire('fair', { ttlMs: 50 * h.unit });
      const order: number[] = [];
      const waiters: Promise<void>[] = [];
      for (const n of [1, 2, 3]) {
        waiters.push(
          backends[n]!.locks()
            .acquire('fair', { waitMs: 50 * h.unit, ttlMs: 20 * h.unit })
            .then(async (lock) => {
              order.push(n);
              await lock.release();
            }),
        );
        await inLine(backends[0]!, 'fair', n);
      }
      await holder.release();
      await Promise.all(waiters);
      expect(order).toEqual([1, 2, 3]);
    });

    it('a newcomer does not take a lock past queued waiters', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const holder = await b1.locks().acquire('no-barging', { ttlMs: 50 * h.unit });
      const waiting = b2.locks().acquire('no-barging', { waitMs: 50 * h.unit, ttlMs: 10 * h.unit });
      await inLine(b1, 'no-barging', 1);
      await holder.release();
      const barging = await b3.locks().tryAcquire('no-barging');
      const waiter = await waiting;
      expect(barging).toBeNull();
      expect(waiter.fence).toBe(holder.fence + 1);
      await waiter.release();
    });
  });
}
