import { Scheduler, SystemClock, type Backend } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { RedisBackend } from '@baton/redis-adapter';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const memory = process.argv.includes('--memory');
const SETTINGS = `Baton (${memory ? 'memory backend' : 'Redis backend, `new RedisBackend({ url })`'}) · default queue options · producer: \`queue.enqueue\` / \`queue.enqueueMany\` (priority mix: \`enqueueMany\` items with \`priority\` 0–9, higher first; round trip: \`queue.enqueueAndWait\`) · worker: a \`Scheduler\` with \`handle(queue, async () => {}, { concurrency })\` · completion = the Scheduler's \`completed\` event`;

main(async () => {
  const h = new Harness(memory ? 'Baton (memory)' : 'Baton', 'queue', SETTINGS);
  const makeBackend = (): Backend => (memory ? new MemoryBackend() : new RedisBackend({ url: h.config.redisUrl }));
  const subject: QueueSubject = {
    name: 'Baton',
    memory,
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const backend = makeBackend();
      const queue = backend.queue<Job>(name);
      let scheduler: Scheduler | undefined;
      return {
        add: (job) => queue.enqueue(job),
        addBulk: (jobs) => queue.enqueueMany(jobs.map((payload) => ({ payload }))),
        addBulkWithPriorities: (jobs, priorities) => queue.enqueueMany(jobs.map((payload, i) => ({ payload, priority: priorities[i]! }))),
        addAndWait: (job) => queue.enqueueAndWait(job, { timeoutMs: 60_000 }),
        async startWorker(concurrency, onStart, onComplete) {
          scheduler = new Scheduler(backend, new SystemClock());
          scheduler.handle<Job>(
            name,
            async () => {
              onStart();
            },
            { concurrency },
          );
          scheduler.on('completed', onComplete);
          await scheduler.start();
        },
        async close() {
          await scheduler?.stop();
          await backend.close();
        },
      };
    },
  };
  await runQueueScenarios(h, subject);
  await h.finish();
});
