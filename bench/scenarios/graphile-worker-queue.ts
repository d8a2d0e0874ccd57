import { makeWorkerUtils, run, runMigrations, type Runner, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { Harness, main } from '../lib/harness.js';
import { runQueueScenarios, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const SETTINGS =
  "graphile-worker 0.16.6 · `run({ connectionString, concurrency, pollInterval: 2000 (default), noHandleSignals: true, taskList })` (LISTEN/NOTIFY wakes workers; prepared statements on, the default) · one task identifier per queue · producer: `workerUtils.addJob(task, payload)`; bulk: the schema's own `add_jobs(job_spec[])` in one statement (0.16 has no `addJobs` helper) · completion = the `job:success` event";

main(async () => {
  const h = new Harness('graphile-worker', 'postgres', SETTINGS);
  const url = h.config.postgresUrl;
  if (!url) throw new Error('no bench database: run this through npm run bench');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await runMigrations({ connectionString: url });
  h.onReset(async () => {
    await admin.query('DELETE FROM graphile_worker._private_jobs');
  });
  const subject: QueueSubject = {
    name: 'graphile-worker',
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const utils: WorkerUtils = await makeWorkerUtils({ connectionString: url });
      let runner: Runner | undefined;
      return {
        add: (job) => utils.addJob(name, job),
        addBulk: (jobs) =>
          utils.withPgClient((client) =>
            client.query('SELECT graphile_worker.add_jobs(array(SELECT json_populate_recordset(NULL::graphile_worker.job_spec, $1::json)))', [
              JSON.stringify(jobs.map((payload) => ({ identifier: name, payload }))),
            ]),
          ),
        async startWorker(concurrency, onStart, onComplete) {
          runner = await run({
            connectionString: url,
            concurrency,
            noHandleSignals: true,
            pollInterval: 2_000,
            taskList: {
              [name]: async (_payload: unknown) => {
                onStart();
              },
            },
          });
          runner.events.on('job:success', () => onComplete());
        },
        async close() {
          await runner?.stop();
          await utils.release();
        },
      };
    },
  };
  await runQueueScenarios(h, subject, { countCommands: false });
  await admin.end();
  await h.finish();
});
