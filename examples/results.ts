import { Scheduler, SystemClock } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

// A worker node and a client node of one deployment (here: two backends on one store).
const store = new MemoryStore();
const clock = new SystemClock();
const worker = new Scheduler(new MemoryBackend({ store, clock }), clock, undefined, { nodeId: 'worker' });
worker.handle<{ width: number; height: number }>('area', async (task) => task.payload.width * task.payload.height);
await worker.start();

const client = new MemoryBackend({ store, clock });
const area = client.queue<{ width: number; height: number }>('area');

// Request/response: the handler's return value comes back as the task's result.
console.log(await area.enqueueAndWait({ width: 3, height: 4 }, { timeoutMs: 5_000 })); // { state: 'finished', result: 12 }

// Or enqueue now and collect later, from any node, while the finished id is retained.
await area.enqueue({ width: 5, height: 6 }, { id: 'room-1' });
console.log(await area.waitFor('room-1', { timeoutMs: 5_000 })); // { state: 'finished', result: 30 }
console.log(await area.result('room-1')); // 30

await worker.stop();
await client.close();
