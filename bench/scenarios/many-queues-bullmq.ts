import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Harness, main } from '../lib/harness.js';
import { runManyQueues } from '../lib/many-queues.js';

const SETTINGS =
  'bullmq 6.7.0 · one `Worker` per queue (concurrency 1, `removeOnComplete`, defaults otherwise: `drainDelay` 5 s, stalled check every 30 s), all given one shared ioredis connection (`maxRetriesPerRequest: null`; each Worker still opens its own blocking connection) · producer: one `Queue` per queue on another shared connection, `queue.add`';

main(async () => {
  const h = new Harness('BullMQ', 'many', SETTINGS);
  let workers: Worker[] = [];
  let queues = new Map<string, Queue>();
  let shared: Redis[] = [];
  await runManyQueues(
    h,
    {
      async start(names, onStart, onComplete) {
        const forWorkers = new Redis(h.config.redisUrl, { maxRetriesPerRequest: null });
        const forQueues = new Redis(h.config.redisUrl, { maxRetriesPerRequest: null });
        shared = [forWorkers, forQueues];
        workers = names.map((name) => new Worker(name, async () => onStart(name), { connection: forWorkers, concurrency: 1, removeOnComplete: { count: 0 } }));
        for (const worker of workers) worker.on('completed', onComplete);
        queues = new Map(names.map((name) => [name, new Queue(name, { connection: forQueues, defaultJobOptions: { removeOnComplete: true } })]));
        await Promise.all(workers.map((w) => w.waitUntilReady()));
      },
      add: (queue) => queues.get(queue)!.add('job', 1),
      async close() {
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all([...queues.values()].map((q) => q.close()));
        for (const client of shared) client.disconnect();
      },
    },
    { idleMs: 10_000, settleMs: 5_000, latencyJobs: Math.max(100, h.config.sizes.latencyJobs) },
  );
  await h.finish();
});
