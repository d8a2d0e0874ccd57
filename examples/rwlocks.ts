import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend(); // or new RedisBackend({ url }): the same code, across processes
const rwlocks = backend.rwlocks({ ttlMs: 10_000 });

// Readers share the lock.
const readers = [await rwlocks.read('catalog'), await rwlocks.read('catalog')];
console.log('readers inside:', (await rwlocks.inspect('catalog')).readers.length);

// A writer waits for them; a reader that comes after the waiting writer waits behind it.
const writing = rwlocks.withWrite('catalog', async (lock) => {
  console.log('writing alone, fence', lock.fence);
  return lock.fence;
});
console.log('a new reader now:', await rwlocks.tryRead('catalog'));
console.log(
  'waiting:',
  (await rwlocks.inspect('catalog')).waiters.map((w) => w.mode),
);
for (const reader of readers) await reader.release();
const writeFence = await writing;

// A reader's fence is that of the latest write: it knows which write it reads after.
{
  await using reader = await rwlocks.read('catalog');
  console.log('reader after the write sees fence', reader.fence, reader.fence === writeFence);
}
await backend.close();
