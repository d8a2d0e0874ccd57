import { expect, it } from 'vitest';
import { ManualClock } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

/** Storage that refuses a write carrying an older fence than one it has seen (your database). */
class FencedStore {
  private highest = 0;
  readonly rows: string[] = [];
  write(fence: number, row: string): boolean {
    if (fence < this.highest) return false;
    this.highest = fence;
    this.rows.push(row);
    return true;
  }
}

it('a lock holder paused past its TTL has its fenced write refused', async () => {
  const clock = new ManualClock();
  const shared = new MemoryStore(); // two nodes of one deployment
  const [nodeA, nodeB] = [new MemoryBackend({ clock, store: shared }), new MemoryBackend({ clock, store: shared })];
  const db = new FencedStore();

  const a = await nodeA.locks().acquire('invoice:42', { ttlMs: 10_000 });
  // A pauses (a long GC, a stopped VM) for longer than its TTL...
  await clock.advance(15_000);
  // ...so B gets the lock, with a larger fence, and writes.
  const b = await nodeB.locks().acquire('invoice:42', { ttlMs: 10_000 });
  expect(b.fence).toBeGreaterThan(a.fence);
  expect(db.write(b.fence, 'paid by B')).toBe(true);

  // A wakes up and still tries to write: the store refuses its old fence.
  expect(a.signal.aborted).toBe(true); // had A looked, it would have known it lost the lock
  expect(db.write(a.fence, 'paid by A')).toBe(false);
  expect(db.rows).toEqual(['paid by B']);
  expect(await a.release()).toBe(false);

  await b.release();
  await nodeA.close();
  await nodeB.close();
});
