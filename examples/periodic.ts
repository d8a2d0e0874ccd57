import { Scheduler, SystemClock } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

// Three nodes share one store; the job runs once per tick across all of them.
const store = new MemoryStore();
const clock = new SystemClock();
const nodes = ['n1', 'n2', 'n3'].map((nodeId) => new Scheduler(new MemoryBackend({ store, clock }), clock, undefined, { nodeId }));

const ran: string[] = [];
for (const scheduler of nodes) {
  scheduler.every('cleanup', 200, async ({ tick, nodeId }) => {
    ran.push(`tick ${tick} on ${nodeId}`);
  });
  await scheduler.start();
}
await new Promise((resolve) => setTimeout(resolve, 1_100));
await Promise.all(nodes.map((s) => s.stop()));

const ticks = ran.map((line) => line.split(' ')[1]);
console.log(`${ran.length} runs, ${new Set(ticks).size} distinct ticks`);
