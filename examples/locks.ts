import { LockTimeoutError } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend();
const locks = backend.locks({ ttlMs: 10_000 });

// withLock: acquires (waiting up to waitMs), extends while fn runs, releases afterwards.
const report = await locks.withLock(
  'report:2026-11',
  async (lock) => {
    // Pass lock.fence to the storage you write to, so a stale holder's write can be refused.
    return `report built under fence ${lock.fence}`;
  },
  { waitMs: 5_000 },
);
console.log(report);

// `await using` releases at the end of the scope; the signal aborts if the lock is lost.
{
  await using lock = await locks.acquire('invoice:42', { ttlMs: 5_000, autoExtend: true });
  lock.signal.addEventListener('abort', () => console.log('lost the lock: stop writing'));
  try {
    await locks.acquire('invoice:42', { waitMs: 50 });
  } catch (error) {
    console.log(error instanceof LockTimeoutError, (error as LockTimeoutError).code); // true 'LOCK_TIMEOUT'
  }
}
const again = await locks.tryAcquire('invoice:42');
console.log('free again:', again !== null);
await again?.release();
await backend.close();
