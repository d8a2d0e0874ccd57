import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LockLostError, LockTimeoutError } from '../errors/index.js';
import type { RwLockHandle, RwLockManager } from '../interfaces/index.js';
import type { ConformanceCapabilities, Harness } from './harness.js';

/** Resolves once `resource` has `count` waiters in line (moving time while it looks). */
async function waitersInLine(h: Harness, rwlocks: RwLockManager, resource: string, count: number): Promise<void> {
  await h.eventually(async () => expect((await rwlocks.inspect(resource)).waiters).toHaveLength(count), 20 * h.unit);
}

/** Shared reads, exclusive writes, fences, expiry, lost signals, waiting, inspect and bad input of read/write locks. */
export function rwlockConformance(h: Harness, caps: ConformanceCapabilities): void {
  const skipped = caps.rwlocks ? '' : ' (skipped: backend declares no rwlocks)';

  describe.skipIf(!caps.rwlocks)(`rwlocks${skipped}`, () => {
    it('many readers hold the lock together; a writer excludes readers and other writers', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const [l1, l2] = [b1.rwlocks({ ttlMs: 10 * h.unit }), b2.rwlocks({ ttlMs: 10 * h.unit })];
      const r1 = (await l1.tryRead('doc'))!;
      const r2 = await l2.read('doc', { waitMs: 0 });
      expect([r1.mode, r2.mode, r1.resource]).toEqual(['read', 'read', 'doc']);
      expect(r1.token).toMatch(/^[0-9a-f]{16,}$/);
      expect(r1.token).not.toBe(r2.token);
      expect(await l2.tryWrite('doc')).toBeNull();
      const timeout = await l2.write('doc', { waitMs: 0 }).catch((e: unknown) => e);
      expect(timeout).toBeInstanceOf(LockTimeoutError);
      expect((timeout as Error).message).toContain('Write lock "doc"');
      expect(await r1.release()).toBe(true);
      expect(await l2.tryWrite('doc')).toBeNull();
      expect(await r2.release()).toBe(true);
      expect(await r2.release()).toBe(false);
      const w = (await l1.tryWrite('doc'))!;
      expect(w.mode).toBe('write');
      expect(await l2.tryRead('doc')).toBeNull();
      expect(await l2.tryWrite('doc')).toBeNull();
      expect(await l2.tryRead('other-doc')).not.toBeNull();
      expect(await w.release()).toBe(true);
      expect(await l2.tryRead('doc')).not.toBeNull();
    });

    it("the fence grows with every write; a reader's fence is that of the latest write before it", async () => {
      const rwlocks = (await h.backend()).rwlocks({ ttlMs: 10 * h.unit });
      const before = await rwlocks.read('fences');
      expect(Number.isInteger(before.fence) && before.fence >= 0).toBe(true);
      await before.release();
      const w1 = await rwlocks.write('fences');
      expect(w1.fence).toBeGreaterThan(before.fence);
      await w1.release();
      const [ra, rb] = [await rwlocks.read('fences'), await rwlocks.read('fences')];
      expect([ra.fence, rb.fence]).toEqual([w1.fence, w1.fence]);
      await ra.release();
      await rb.release();
      const w2 = await rwlocks.write('fences', { ttlMs: h.unit });
      expect(w2.fence).toBeGreaterThan(w1.fence);
      await h.advance(2 * h.unit);
      const w3 = await rwlocks.write('fences', { waitMs: 0 });
      expect(w3.fence).toBeGreaterThan(w2.fence);
      await w3.release();
      expect((await rwlocks.read('fences')).fence).toBe(w3.fence);
    });

    it('a writer whose lock ran out is told, and frees the resource; its extend and release fail', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const old = await b1.rwlocks().write('lost', { ttlMs: 5 * h.unit });
      await h.advance(h.unit);
      expect(old.signal.aborted).toBe(false);
      expect(await b2.rwlocks().tryRead('lost')).toBeNull();
      await h.advance(5 * h.unit);
      expect(old.signal.aborted).toBe(true);
      expect(old.signal.reason).toBeInstanceOf(LockLostError);
      expect((old.signal.reason as Error).message).toContain('Write lock "lost"');
      const next = (await b2.rwlocks().tryWrite('lost', { ttlMs: 10 * h.unit }))!;
      expect(next.fence).toBeGreaterThan(old.fence);
      expect(await old.extend()).toBe(false);
      expect(await old.release()).toBe(false);
    });

    it('a crashed reader does not block writers past its TTL, and a reader is told when its lock ran out', async () => {
      const [crashing, b2] = [await h.backend(), await h.backend()];
      await crashing.rwlocks().read('crash', { ttlMs: 3 * h.unit });
      await crashing.close();
      const reader = await b2.rwlocks().read('crash', { ttlMs: 2 * h.unit });
      const writing = b2.rwlocks().write('crash', { waitMs: 20 * h.unit, ttlMs: 10 * h.unit });
      await h.advance(4 * h.unit);
      expect(reader.signal.aborted).toBe(true);
      expect((reader.signal.reason as Error).message).toContain('Read lock "crash"');
      const writer = await writing;
      expect(writer.mode).toBe('write');
      expect(await reader.release()).toBe(false);
    });

    it("the last reader's release wakes a waiting writer; the writer's release admits the waiting readers together", async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const options = { ttlMs: 50 * h.unit, waitMs: 40 * h.unit };
      const [r1, r2] = [await b1.rwlocks().read('wake', options), await b2.rwlocks().read('wake', options)];
      const started = h.clock.now();
      const writing = b3.rwlocks().write('wake', options);
      await waitersInLine(h, b1.rwlocks(), 'wake', 1);
      await r1.release();
      await h.advance(h.unit);
      expect((await b1.rwlocks().inspect('wake')).writer).toBeNull();
      await r2.release();
      const writer = await writing;
      expect(h.clock.now() - started).toBeLessThan(20 * h.unit);
      const readers = [b1.rwlocks().read('wake', options), b2.rwlocks().read('wake', options)];
      await waitersInLine(h, b1.rwlocks(), 'wake', 2);
      await writer.release();
      const [ra, rb] = await Promise.all(readers);
      expect((await b3.rwlocks().inspect('wake')).readers).toHaveLength(2);
      expect([ra!.fence, rb!.fence]).toEqual([writer.fence, writer.fence]);
    });

    it('a write whose signal aborts gives up at once and leaves the line: the readers behind it join the reader inside', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const options = { ttlMs: 50 * h.unit, waitMs: 50 * h.unit };
      const reader = await b1.rwlocks().read('give-up', options);
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const writing = b2
        .rwlocks()
        .write('give-up', { ...options, waitMs: 1_000 * h.unit, signal: controller.signal })
        .then(
          () => 'acquired',
          (e: unknown) => e,
        );
      await waitersInLine(h, b1.rwlocks(), 'give-up', 1);
      const reading = b3.rwlocks().read('give-up', options);
      await waitersInLine(h, b1.rwlocks(), 'give-up', 2);
      controller.abort(reason);
      expect(await writing).toBe(reason);
      const second = await reading;
      expect((await b1.rwlocks().inspect('give-up')).readers).toHaveLength(2);
      expect(second.fence).toBe(reader.fence);
      await expect(b2.rwlocks().read('give-up', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    });

    it('extend, autoExtend, withRead, withWrite and await using keep and give back the lock', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const reader = await b1.rwlocks().read('kept', { ttlMs: 4 * h.unit, autoExtend: true });
      const writing = b2.rwlocks().withWrite('kept', async (w) => w.fence, { ttlMs: 3 * h.unit, waitMs: 30 * h.unit });
      for (let i = 0; i < 3; i++) {
        await h.advance(2 * h.unit);
        expect((await b2.rwlocks().inspect('kept')).writer).toBeNull();
      }
      expect(reader.signal.aborted).toBe(false);
      expect(await reader.extend(5 * h.unit)).toBe(true);
      await reader.release();
      const fence = await writing;
      const value = await b1.rwlocks().withRead(
        'kept',
        async (lock) => {
          for (let i = 0; i < 3; i++) {
            await h.advance(2 * h.unit);
            expect(await b2.rwlocks().tryWrite('kept')).toBeNull();
          }
          return lock.fence;
        },
        { ttlMs: 4 * h.unit },
      );
      expect(value).toBe(fence);
      {
        await using lock = await b1.rwlocks().write('kept', { ttlMs: 10 * h.unit });
        expect(await b2.rwlocks().tryRead(lock.resource)).toBeNull();
      }
      expect(await b2.rwlocks().tryWrite('kept')).not.toBeNull();
    });

    it('inspect shows the writer, the readers and the waiters, and never a token', async () => {
      const [b1, b2] = [await h.backend(), await h.backend()];
      const rwlocks = b1.rwlocks({ ttlMs: 20 * h.unit, waitMs: 50 * h.unit });
      expect(await rwlocks.inspect('seen')).toEqual({ resource: 'seen', writer: null, readers: [], waiters: [] });
      const readers = [await rwlocks.read('seen'), await rwlocks.read('seen')];
      const writing = b2.rwlocks({ ttlMs: 20 * h.unit, waitMs: 50 * h.unit }).write('seen');
      await waitersInLine(h, rwlocks, 'seen', 1);
      const reading = b2.rwlocks({ ttlMs: 20 * h.unit, waitMs: 50 * h.unit }).read('seen');
      await waitersInLine(h, rwlocks, 'seen', 2);
      const state = await rwlocks.inspect('seen');
      expect(state.writer).toBeNull();
      expect(state.readers).toHaveLength(2);
      expect(state.waiters).toEqual([{ mode: 'write' }, { mode: 'read' }]);
      for (const r of state.readers) expect(r.expiresInMs > 0 && r.expiresInMs <= 20 * h.unit).toBe(true);
      for (const r of readers) {
        expect(JSON.stringify(state)).not.toContain(r.token);
        await r.release();
      }
      const writer = await writing;
      const during = await rwlocks.inspect('seen');
      expect(during.writer?.fence).toBe(writer.fence);
      expect([during.readers, during.waiters]).toEqual([[], [{ mode: 'read' }]]);
      expect(JSON.stringify(during)).not.toContain(writer.token);
      await writer.release();
      await (await reading).release();
      expect(await rwlocks.inspect('seen')).toEqual({ resource: 'seen', writer: null, readers: [], waiters: [] });
    });

    it('many readers and writers: a writer never holds the lock with anyone, and readers do share it', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend()]);
      let readers = 0;
      let writers = 0;
      let maxReaders = 0;
      let violations = 0;
      const writeFences: number[] = [];
      const options = { ttlMs: 10 * h.unit, waitMs: 100 * h.unit };
      const check = (): void => {
        if (writers > 1 || (writers === 1 && readers > 0)) violations++;
      };
      await Promise.all(
        backends.flatMap((b, n) =>
          [0, 1, 2].map(async (k) => {
            for (let i = 0; i < 3; i++) {
              const write = (n + k + i) % 3 === 0;
              const run = async (lock: RwLockHandle): Promise<void> => {
                if (write) writers++;
                else readers++;
                maxReaders = Math.max(maxReaders, readers);
                check();
                if (write) writeFences.push(lock.fence);
                await h.advance(Math.floor(h.unit / 5));
                check();
                if (write) writers--;
                else readers--;
              };
              if (write) await b.rwlocks().withWrite('mixed', run, options);
              else await b.rwlocks().withRead('mixed', run, options);
            }
          }),
        ),
      );
      expect(violations).toBe(0);
      expect(maxReaders).toBeGreaterThanOrEqual(2);
      expect(writeFences).toHaveLength(9);
      for (let i = 1; i < writeFences.length; i++) expect(writeFences[i]!).toBeGreaterThan(writeFences[i - 1]!);
    });

    it('bad input is refused with InvalidArgumentError', async () => {
      const backend = await h.backend();
      const rwlocks = backend.rwlocks();
      const refusals: Array<[string, () => Promise<unknown>]> = [
        ['ttl 0', () => rwlocks.read('bad', { ttlMs: 0 })],
        ['fractional ttl', () => rwlocks.tryWrite('bad', { ttlMs: 1.5 })],
        ['negative wait', () => rwlocks.write('bad', { waitMs: -1 })],
        ['empty resource', () => rwlocks.tryRead('')],
        ['resource not a string', () => rwlocks.write(7 as never)],
        ['options not an object', () => rwlocks.read('bad', 'soon' as never)],
        ['fn not a function', () => rwlocks.withWrite('bad', null as never)],
        ['manager ttl', async () => backend.rwlocks({ ttlMs: -5 })],
      ];
      for (const [what, call] of refusals) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, what).toBeInstanceOf(InvalidArgumentError);
      }
      expect(await rwlocks.inspect('bad')).toEqual({ resource: 'bad', writer: null, readers: [], waiters: [] });
    });
  });

  const fair = caps.rwlocks && caps.fairRwLockWaiters;
  const why = !caps.rwlocks ? ' (skipped: backend declares no rwlocks)' : !caps.fairRwLockWaiters ? ' (skipped: backend declares no fairRwLockWaiters)' : '';
  describe.skipIf(!fair)(`rwlocks: fairness${why}`, () => {
    it('a reader that arrives after a waiting writer waits behind it', async () => {
      const [b1, b2, b3] = [await h.backend(), await h.backend(), await h.backend()];
      const options = { ttlMs: 30 * h.unit, waitMs: 50 * h.unit };
      const first = await b1.rwlocks().read('queue', options);
      const order: string[] = [];
      const writing = b2
        .rwlocks()
        .write('queue', options)
        .then((lock) => {
          order.push('writer');
          return lock;
        });
      await waitersInLine(h, b1.rwlocks(), 'queue', 1);
      expect(await b3.rwlocks().tryRead('queue')).toBeNull();
      const reading = b3
        .rwlocks()
        .read('queue', options)
        .then((lock) => {
          order.push('reader');
          return lock;
        });
      await waitersInLine(h, b1.rwlocks(), 'queue', 2);
      await h.advance(h.unit);
      expect(order).toEqual([]);
      await first.release();
      const writer = await writing;
      await h.advance(h.unit);
      expect(order).toEqual(['writer']);
      await writer.release();
      await reading;
      expect(order).toEqual(['writer', 'reader']);
    });

    it('a stream of overlapping readers does not starve a writer: no reader that came after it passes it', async () => {
      const backends = await Promise.all([h.backend(), h.backend(), h.backend(), h.backend()]);
      const options = { ttlMs: 20 * h.unit, waitMs: 60 * h.unit };
      let stop = false;
      let readersInside = 0;
      let violations = 0;
      let writerInside = false;
      let writerInLine = false;
      let writerServed = false;
      let overtakes = 0;
      // three readers, each reading again as soon as it finished, staggered so that there is
      // always a reader inside unless the line holds the next ones back
      const readers = backends.slice(0, 3).map(async (b, n) => {
        await h.advance(Math.floor((n * h.unit) / 3));
        while (!stop) {
          const cameAfterWriter = writerInLine;
          await b.rwlocks().withRead(
            'stream',
            async () => {
              if (cameAfterWriter && !writerServed) overtakes++;
              readersInside++;
              if (writerInside) violations++;
              await h.advance(h.unit);
              readersInside--;
            },
            options,
          );
        }
      });
      await h.advance(2 * h.unit);
      const writing = backends[3]!.rwlocks().withWrite(
        'stream',
        async () => {
          writerServed = true;
          writerInside = true;
          if (readersInside > 0) violations++;
          await h.advance(h.unit);
          writerInside = false;
          return true;
        },
        options,
      );
      await h.eventually(async () => expect((await backends[3]!.rwlocks().inspect('stream')).waiters).toContainEqual({ mode: 'write' }), 20 * h.unit);
      writerInLine = true;
      const wrote = await writing;
      stop = true;
      await Promise.all(readers);
      expect(wrote).toBe(true);
      expect(violations).toBe(0);
      expect(overtakes).toBe(0);
    });
  });
}
