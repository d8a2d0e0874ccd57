import BeeQueue from 'bee-queue';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const SETTINGS =
  'bee-queue 2.0.0 · `removeOnSuccess: true, removeOnFailure: true, storeJobs: false, getEvents: false, sendEvents: false, activateDelayedJobs: false` · one Queue for producer and worker · handler `async () => {}` · completion = the local `succeeded` event';

main(async () => {
  const h = new Harness('bee-queue', 'queue', SETTINGS);
  const url = new URL(h.config.redisUrl);
  const subject: QueueSubject = {
    name: 'bee-queue',
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const queue = new BeeQueue<Job>(name, {
        redis: { host: url.hostname, port: Number(url.port) },
        removeOnSuccess: true,
        removeOnFailure: true,
        storeJobs: false,
        getEvents: false,
        sendEvents: false,
        activateDelayedJobs: false,
      });
      await queue.ready();
      return {
        add: (job) => queue.createJob(job).save(),
        addBulk: (jobs) => queue.saveAll(jobs.map((job) => queue.createJob(job))),
        async startWorker(concurrency, onStart, onComplete) {
          queue.on('succeeded', onComplete);
          queue.process(concurrency, async () => {
            onStart();
          });
        },
        async close() {
          await queue.close();
        },
      };
    },
  };
  await runQueueScenarios(h, subject);
  await h.finish();
});
