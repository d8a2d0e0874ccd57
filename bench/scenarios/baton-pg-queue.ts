import { Scheduler, SystemClock } from '@baton/core';
import { PostgresBackend } from '@baton/postgres-adapter';
import pg from 'pg';
import { Harness, main } from '../lib/harness.js';
import { commitCount } from '../lib/postgres.js';
import { runQueueScenarios, type Job, type QueueClient, type QueueSubject } from '../lib/queue-scenarios.js';

const SETTINGS =
  "Baton (PostgreSQL backend, `new PostgresBackend({ connectionString })`, pool of 10, durable commits) · default queue options · producer: `queue.enqueue` / `queue.enqueueMany` · worker: a `Scheduler` with `handle(queue, async () => {}, { concurrency })` · completion = the Scheduler's `completed` event";

/** Statements sent through the pool, counted by wrapping `pool.query` (the one path Baton's statements take). */
let statements = 0;

function countingPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    return query(...args);
  };
  return pool;
}

main(async () => {
  const h = new Harness('Baton (PostgreSQL)', 'postgres', SETTINGS);
  const url = h.config.postgresUrl;
  if (!url) throw new Error('no bench database: run this through npm run bench');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // a schema per process (so --ab can compare checkouts whose schema versions differ): migrated
  // once, then its tables emptied before every measurement (as FLUSHALL does for Redis)
  const schema = `bench_${process.pid}`;
  const first = new PostgresBackend({ connectionString: url, schema });
  await first.ready();
  await first.close();
  h.onReset(async () => {
    await admin.query(`TRUNCATE ${schema}.tasks, ${schema}.queue_waiters`);
  });
  const subject: QueueSubject = {
    name: 'Baton (PostgreSQL)',
    settings: SETTINGS,
    async open(name): Promise<QueueClient> {
      const pool = countingPool(url);
      const backend = new PostgresBackend({ pool, schema });
      await backend.ready();
      const queue = backend.queue<Job>(name);
      let scheduler: Scheduler | undefined;
      return {
        add: (job) => queue.enqueue(job),
        addBulk: (jobs) => queue.enqueueMany(jobs.map((payload) => ({ payload }))),
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
          await pool.end();
        },
      };
    },
  };
  await runQueueScenarios(h, subject, { countCommands: false });
  await noteRoundTrips(h, subject, admin);
  await admin.end();
  await h.finish();
});

/** Notes statements (pool round trips) and commits per enqueue and per job processed at concurrency 1, over 1,000 jobs. */
async function noteRoundTrips(h: Harness, subject: QueueSubject, admin: pg.Client): Promise<void> {
  const n = 1_000;
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_500));
  const q = await subject.open(`bench-rt-${process.pid}`);
  await settle();
  let s0 = statements;
  let c0 = await commitCount(admin);
  for (let i = 0; i < n; i++) await q.add({ i });
  await settle();
  const addStatements = (statements - s0) / n;
  const addCommits = ((await commitCount(admin)) - c0 - 1) / n;
  let done = 0;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  s0 = statements;
  c0 = await commitCount(admin);
  await q.startWorker(
    1,
    () => undefined,
    () => {
      if (++done === n) finish();
    },
  );
  await all;
  const jobStatements = (statements - s0) / n;
  await q.close();
  await settle();
  const jobCommits = ((await commitCount(admin)) - c0 - 1) / n;
  h.note(
    `statements per enqueue: ${addStatements.toFixed(2)}, commits per enqueue: ${addCommits.toFixed(2)}; per job processed at concurrency 1: ${jobStatements.toFixed(2)} statements, ${jobCommits.toFixed(2)} commits (pg_stat_database, background statements included)`,
  );
}
