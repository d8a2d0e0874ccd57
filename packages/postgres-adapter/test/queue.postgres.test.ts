import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, Scheduler, SystemClock, silentLogger, type Lease } from '@baton/core';
import pg from 'pg';
import { queueSql } from '../src/queue/queue-sql.js';
import { channelName } from '../src/schema/identifiers.js';
import { contextOf, freshSchema, PgTestBed, postgresUrl, sleep, until } from './support.js';

/** A pool that counts the statements run on it. */
function countingPool(): { pool: pg.Pool; count: () => number } {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  let statements = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    return query(...args);
  };
  return { pool, count: () => statements };
}

describe.skipIf(postgresUrl === '')('postgres adapter: queues', () => {
  let bed: PgTestBed;
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    await bed.close();
    await Promise.allSettled(pools.splice(0).map((p) => p.end()));
  });

  it('a worker at concurrency 1 runs one statement per task: the completion travels with the next claim', async () => {
    bed = new PgTestBed(freshSchema('fused'));
    const { pool, count } = countingPool();
    pools.push(pool);
    const backend = bed.backend({ pool });
    await backend.ready();
    const queue = backend.queue<number>('work');
    const tasks = 200;
    await queue.enqueueMany(Array.from({ length: tasks }, (_, i) => ({ payload: i })));
    const done = new Set<number>();
    const scheduler = new Scheduler(backend, new SystemClock(), silentLogger, { nodeId: 'n1' });
    let finished!: () => void;
    const allDone = new Promise<void>((resolve) => (finished = resolve));
    scheduler.handle<number>('work', async (task) => {
      done.add(task.payload);
      if (done.size === tasks) finished();
    });
    const before = count();
    await scheduler.start();
    await allDone;
    await until(async () => (await queue.stats()).active === 0, 5_000);
    const used = count() - before;
    await scheduler.stop();
    expect(done.size).toBe(tasks);
    // one claim per task, plus the scheduler's own (registration, heartbeats, stats above)
    expect(used).toBeLessThan(tasks * 1.25);
    expect(await queue.isFinished(String(0))).toBe(false);
  });

  it('an enqueue NOTIFYs the queue only while someone waits on it', async () => {
    bed = new PgTestBed(freshSchema('notify'));
    const backend = bed.backend();
    await backend.ready();
    const queue = backend.queue<number>('q');
    const listen = await bed.sql();
    const heard: string[] = [];
    listen.on('notification', (n) => heard.push(n.payload ?? ''));
    await listen.query(`LISTEN "${channelName(bed.schema, 'queue', 'q')}"`);
    for (let i = 0; i < 20; i++) await queue.enqueue(i);
    await sleep(200);
    expect(heard).toEqual([]);
    const drained = await queue.dequeueMany(20);
    expect(drained).toHaveLength(20);
    const waiting = bed.backend().queue<number>('q').dequeue({ waitMs: 5_000 });
    expect(await until(async () => (await listen.query(`SELECT 1 FROM "${bed.schema}".queue_waiters`)).rowCount === 1, 3_000)).toBe(true);
    await queue.enqueue(99);
    expect((await waiting)?.payload).toBe(99);
    expect(await until(() => heard.length > 0, 2_000)).toBe(true);
    expect(heard[0]).toBe('0');
  });

  it('a worker whose LISTEN connection broke fetches a task enqueued meanwhile as soon as it reconnects', async () => {
    bed = new PgTestBed(freshSchema('refetch'));
    const consumer = bed.backend();
    const producer = bed.backend();
    await Promise.all([consumer.ready(), producer.ready()]);
    const waiting = consumer.queue<string>('q').dequeue({ waitMs: 10_000 });
    const sql = await bed.sql();
    expect(await until(async () => (await sql.query(`SELECT 1 FROM "${bed.schema}".queue_waiters`)).rowCount === 1, 3_000)).toBe(true);
    await sql.query('SELECT pg_terminate_backend($1)', [contextOf(consumer).listener.pid]);
    const started = Date.now();
    // within the reconnect's 100 ms backoff: the NOTIFY of this enqueue reaches nobody
    await producer.queue<string>('q').enqueue('while down');
    const lease = await waiting;
    expect(lease?.payload).toBe('while down');
    // the reconnect (100 ms backoff) forces a fetch; the slow look is 2 s away
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a stored payload that is not JSON goes to the dead letters with the reason, and the worker gets the rest', async () => {
    bed = new PgTestBed(freshSchema('corrupt'));
    const queue = bed.backend().queue<number>('q');
    await queue.enqueue(1, { id: 'bad' });
    await queue.enqueue(2, { id: 'good' });
    const sql = await bed.sql();
    await sql.query(`UPDATE "${bed.schema}".tasks SET payload = '{not json' WHERE id = 'bad'`);
    const leases = await queue.dequeueMany(5);
    expect(leases.map((l) => l.id)).toEqual(['good']);
    expect(await until(async () => (await queue.stats()).dead === 1, 3_000)).toBe(true);
    const [dead] = await queue.deadLetters();
    expect(dead?.id).toBe('bad');
    expect(dead?.lastError).toMatch(/corrupt payload/);
  });

  it('finished ids past their retention are pruned in bounded batches, and the ids can be queued again', async () => {
    bed = new PgTestBed(freshSchema('prune'));
    const backend = bed.backend();
    const queue = backend.queue<number>('q', { retainFinishedMs: 1 });
    const n = 2_500;
    await queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ payload: i, id: `t${i}` })));
    for (;;) {
      const leases = await queue.dequeueMany(1_000);
      if (leases.length === 0) break;
      await Promise.all(leases.map((l) => queue.complete(l)));
    }
    const sql = await bed.sql();
    const finished = async (): Promise<number> => (await sql.query(`SELECT count(*)::int AS n FROM "${bed.schema}".tasks WHERE state = 3`)).rows[0].n;
    expect(await until(async () => (await finished()) === 0, 5_000)).toBe(true);
    expect((await queue.enqueue(0, { id: 't0' })).status).toBe('queued');
  });

  it('with preparedStatements: false (behind a transaction-pooling proxy) the queue works the same', async () => {
    bed = new PgTestBed(freshSchema('unprepared'));
    const queue = bed.backend({ preparedStatements: false }).queue<number>('q');
    expect((await queue.enqueue(1, { id: 'a' })).status).toBe('queued');
    expect((await queue.enqueue(1, { id: 'a' })).status).toBe('duplicate');
    const lease = await queue.dequeue();
    expect(lease?.payload).toBe(1);
    expect(await queue.complete(lease!)).toBe(true);
    expect((await queue.enqueue(1, { id: 'a' })).status).toBe('finished');
    expect(() => bed.backend({ preparedStatements: 'yes' as unknown as boolean })).toThrow(/preparedStatements/);
  });

  it('an enqueue still in flight when a worker registers as waiting is seen by the worker once it commits', async () => {
    bed = new PgTestBed(freshSchema('inflight'));
    const consumer = bed.backend({ clock: new ManualClock() });
    await consumer.ready();
    const enqueuer = await bed.sql();
    // An enqueue whose statement ran before the registration and commits after the worker's looks.
    await enqueuer.query('BEGIN');
    await enqueuer.query(queueSql(`"${bed.schema}"`).enqueueOne, ['q', 'late', '"x"', 0, channelName(bed.schema, 'queue', 'q'), 0, null]);
    let lease: Lease<unknown> | null | undefined;
    // The manual clock never moves: neither the slow look nor the wait's end can deliver the task.
    const waiting = consumer
      .queue('q')
      .dequeue({ waitMs: 60_000 })
      .then((l) => (lease = l));
    const sql = await bed.sql();
    // the registration waits for the enqueue's shared lock of the queue
    expect(await until(async () => (await sql.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rowCount === 1, 5_000)).toBe(true);
    await enqueuer.query('COMMIT');
    expect(await until(() => lease !== undefined, 5_000)).toBe(true);
    expect(lease?.id).toBe('late');
    await waiting;
  });
});
