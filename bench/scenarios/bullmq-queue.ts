import { Queue, QueueEvents, Worker } from 'bullmq';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const SETTINGS =
  "bullmq 6.7.0 · `defaultJobOptions: { removeOnComplete: true, removeOnFail: true }` on the Queue, `removeOnComplete: true` on the Worker · one Queue and one Worker (its own connections, `maxRetriesPerRequest: null`) · handler `async () => {}` · completion = the Worker's `completed` event · priority mix: `addBulk` with `opts.priority` 1–10 (1 first) · round trip: `queue.add` (with `removeOnComplete: 1000`, as `waitUntilFinished` reads the finished job) then `job.waitUntilFinished(queueEvents)` (one `QueueEvents` per queue, made before the first)";

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
      let events: QueueEvents | undefined;
      return {
        add: (job) => queue.add('job', job),
        addBulk: (jobs) => queue.addBulk(jobs.map((data) => ({ name: 'job', data }))),
        // BullMQ: 1 is the highest priority, larger numbers lower (0: none)
        addBulkWithPriorities: (jobs, priorities) => queue.addBulk(jobs.map((data, i) => ({ name: 'job', data, opts: { priority: 10 - priorities[i]! } }))),
        async addAndWait(job) {
          if (!events) {
            events = new QueueEvents(name, { connection });
            await events.waitUntilReady();
          }
          // kept a while after completion: waitUntilFinished reads the finished job when its event came first
          return (await queue.add('job', job, { removeOnComplete: 1_000 })).waitUntilFinished(events, 60_000);
        },
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
          await events?.close();
          await queue.close();
        },
      };
    },
  };
  await runQueueScenarios(h, subject);
  await h.finish();
});
