import { Scheduler, SystemClock, TaskCancelledError } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

const store = new MemoryStore();
const clock = new SystemClock();
const worker = new Scheduler(new MemoryBackend({ store, clock }), clock, undefined, { nodeId: 'worker' });
worker.handle<string>('render', async (task, ctx) => {
  console.log(`rendering ${task.payload}`);
  // Long work that listens to its signal: a cancellation from any node aborts it.
  await clock.sleep(60_000, ctx.signal).catch((error: unknown) => {
    if (error instanceof TaskCancelledError) console.log(`stopped: ${error.reason}`);
    throw error;
  });
});
worker.on('cancelled', (task) => console.log(`worker: ${task.id} was cancelled`));
await worker.start();

const app = new MemoryBackend({ store, clock });
const render = app.queue<string>('render');
await render.enqueueMany([
  { payload: 'movie.mp4', id: 'movie' },
  { payload: 'trailer.mp4', id: 'trailer', delayMs: 60_000 },
]);
await new Promise((resolve) => setTimeout(resolve, 100));

console.log(await render.cancel('movie', 'the user closed the tab')); // 'cancelled' (it was running)
console.log(await render.cancel('trailer')); // 'cancelled' (it was delayed: it never runs)
console.log(await render.cancel('movie')); // 'already-cancelled'
console.log(await render.waitFor('movie')); // { state: 'cancelled', reason: 'the user closed the tab' }
console.log(await render.enqueue('movie.mp4', { id: 'movie' })); // { id: 'movie', status: 'cancelled' }

await worker.stop();
await app.close();
