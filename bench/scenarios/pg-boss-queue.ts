import PgBoss from 'pg-boss';
import pg from 'pg';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

/** Jobs one fetch takes: a worker waits out the rest of its polling interval after every fetch, so small batches cap it at a few jobs a second. */
const BATCH = 1_000;

const SETTINGS =
  "pg-boss 10.4.2 · `new PgBoss({ connectionString, max: 10, supervise: false, schedule: false })` (no maintenance or cron loop during the runs) · queues made with `createQueue(name)` (policy standard) · producer: `send` / `insert` (its bulk call) · worker: one `work(name, { batchSize: 1000, pollingIntervalSeconds: 0.5 })` whose handler runs the batch's jobs 1 or 50 at a time (a pg-boss worker waits out the rest of its polling interval after every fetch, 0.5 s being the shortest it accepts, so `batchSize: 1` would cap it at 2 jobs/s) · completion = the handler's own awaited `boss.complete(name, ids)` of the batch (pg-boss has no completion event, and the completion it makes after the handler is not awaited)";

main(async () => {
  const h = new Harness('pg-boss', 'postgres', SETTINGS);
  const url = h.config.postgresUrl;
  if (!url) throw new Error('no bench database: run this through npm run bench');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const options = { connectionString: url, max: 10, supervise: false, schedule: false } as const;
  const setup = new PgBoss(options);
  await setup.start();
  await setup.stop({ graceful: false, wait: true });
  h.onReset(async () => {
    await admin.query('TRUNCATE pgboss.job, pgboss.archive');
  });
  const subject: QueueSubject = {
    name: 'pg-boss',
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const boss = new PgBoss(options);
      boss.on('error', (error) => console.error(error));
      await boss.start();
      await boss.createQueue(name);
      return {
        add: (job) => boss.send(name, job),
        addBulk: (jobs) => boss.insert(jobs.map((data) => ({ name, data }))),
        async startWorker(concurrency, onStart, onComplete) {
          await boss.work<Job>(name, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (batch) => {
            // `concurrency` jobs of the batch at a time, then the batch completed (and awaited:
            // pg-boss's own completion after the handler is not awaited and finds them done)
            let next = 0;
            const lane = async (): Promise<void> => {
              while (next < batch.length) {
                next++;
                onStart();
                await Promise.resolve();
              }
            };
            await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
            await boss.complete(
              name,
              batch.map((job) => job.id),
            );
            for (let i = 0; i < batch.length; i++) onComplete();
          });
        },
        async close() {
          await boss.stop({ graceful: false, wait: true });
        },
      };
    },
  };
  await runQueueScenarios(h, subject, { countCommands: false });
  await admin.end();
  await h.finish();
});
