import { Queue, Worker } from 'bullmq';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const SETTINGS =
  "bullmq 6.7.0 · `defaultJobOptions: { removeOnComplete: true, removeOnFail: true }` on the Queue, `removeOnComplete: true` on the Worker · one Queue and one Worker (its own connections, `maxRetriesPerRequest: null`) · handler `async () => {}` · completion = the Worker's `completed` event";

main(async () => {
  const h = new Harness('BullMQ', 'queue', SETTINGS);
  const url = new URL(h.config.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
  const subject: QueueSubject = {
    name: 'BullMQ',
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const queue = new Queue<Job>(name, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      await queue.waitUntilReady();
      let worker: Worker<Job> | undefined;
      return {
        add: (job) => queue.add('job', job),
        addBulk: (jobs) => queue.addBulk(jobs.map((data) => ({ name: 'job', data }))),
        async startWorker(concurrency, onStart, onComplete) {
          worker = new Worker<Job>(
            name,
            async () => {
              onStart();
            },
            { connection, concurrency, removeOnComplete: { count: 0 } },
          );
          worker.on('completed', onComplete);
          await worker.waitUntilReady();
        },
        async close() {
          await worker?.close();
          await queue.close();
        },
      };
    },
  };
  await runQueueScenarios(h, subject);
  await h.finish();
});
