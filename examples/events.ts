import { Scheduler, SystemClock } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

const store = new MemoryStore();
const clock = new SystemClock();
const worker = new Scheduler(new MemoryBackend({ store, clock }), clock, undefined, { nodeId: 'worker' });
worker.handle<string[]>('import', async (task, ctx) => {
  for (const [i, file] of task.payload.entries()) {
    await ctx.progress({ file, done: i + 1, of: task.payload.length });
  }
  return { imported: task.payload.length };
});
await worker.start();

// Any node can watch a queue: events come from every node that works on it.
const dashboard = new MemoryBackend({ store, clock });
const imports = dashboard.queue<string[]>('import');
const stop = imports.watch((event) => {
  if (event.type === 'progress') console.log('progress', event.id, event.progress);
  else if (event.type === 'completed') console.log('completed', event.id, event.result);
  else if (event.type === 'enqueued' || event.type === 'active') console.log(event.type, event.ids);
});
await stop.ready;

await imports.enqueue(['a.csv', 'b.csv'], { id: 'import-1' });
await imports.waitFor('import-1');
stop();
await worker.stop();
await dashboard.close();
