import { createServer } from 'node:http';
import { Scheduler, SystemClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { BatonMetrics, metricsHandler } from '@baton/metrics';

const clock = new SystemClock();
const backend = new MemoryBackend({ clock });
const scheduler = new Scheduler(backend, clock, undefined, { nodeId: 'worker-1' });
scheduler.handle<string>(
  'emails',
  async (task) => {
    if (task.payload === 'bounce') throw new Error('mailbox full');
  },
  { queue: { maxAttempts: 1 } },
);

// One per process: counts what this process does, reads depths and nodes from the backend at each scrape.
const metrics = new BatonMetrics({ backend, queues: ['emails'], groups: ['workers'] }).observeScheduler(scheduler);
const server = createServer(metricsHandler(metrics)).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

await scheduler.start();
const emails = backend.queue<string>('emails');
await emails.enqueueMany([{ payload: 'hello' }, { payload: 'bounce', id: 'b-1' }]);
await emails.waitFor('b-1', { timeoutMs: 5_000 });

const { port } = server.address() as { port: number };
const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
console.log(
  text
    .split('\n')
    .filter((line) => /^baton_(tasks_\w+_total|queue_tasks\{.*dead|task_run_seconds_count)/.test(line))
    .join('\n'),
);

server.close();
metrics.close();
await scheduler.stop();
await backend.close();
