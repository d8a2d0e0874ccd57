import { MemoryBackend } from '@baton/memory-adapter';

const backend = new MemoryBackend();
const thumbnails = backend.queue<{ image: string }>('thumbnails', { maxAttempts: 2, visibilityTimeoutMs: 30_000 });

// Idempotent enqueue: the same id is queued once, and never again once finished.
console.log(await thumbnails.enqueue({ image: 'cat.png' }, { id: 'cat' })); // status: 'queued'
console.log(await thumbnails.enqueue({ image: 'cat.png' }, { id: 'cat' })); // status: 'duplicate'
await thumbnails.enqueueMany([
  { payload: { image: 'dog.png' }, id: 'dog' },
  { payload: { image: 'owl.png' }, delayMs: 60_000 },
]);

const cat = await thumbnails.dequeue(); // a lease: complete it before lease.deadline
await thumbnails.complete(cat!);
console.log(await thumbnails.enqueue({ image: 'cat.png' }, { id: 'cat' })); // status: 'finished'

const dog = await thumbnails.dequeue({ waitMs: 1_000 });
console.log(await thumbnails.fail(dog!, new Error('decoder crashed'), { retryInMs: 0 })); // 'retry'
const again = await thumbnails.dequeue();
console.log(again!.attempt, again!.lastError); // 2 'Error: decoder crashed'
console.log(await thumbnails.fail(again!, new Error('still broken'))); // 'dead'

console.log(await thumbnails.stats()); // { waiting: 0, active: 0, delayed: 1, dead: 1, deadDropped: 0 }
console.log((await thumbnails.deadLetters()).map((t) => `${t.id}: ${t.lastError}`));
await backend.close();
