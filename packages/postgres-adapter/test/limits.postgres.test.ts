import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, Scheduler, SystemClock, silentLogger, type Queue, type QueueLimits } from '@baton/core';
import pg from 'pg';
import { channelName } from '../src/schema/identifiers.js';
import { freshSchema, PgTestBed, postgresUrl, until } from './support.js';

/** A pool that records the text of every statement run on it. */
function recordingPool(): { pool: pg.Pool; texts: string[] } {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  const texts: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    texts.push(typeof first === 'string' ? first : (first as { text: string }).text);
    return query(...args);
  };
  return { pool, texts };
}

describe.skipIf(postgresUrl === '')('postgres adapter: queue limits', () => {
  let bed: PgTestBed;
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    await bed.close();
    await Promise.allSettled(pools.splice(0).map((p) => p.end()));
  });

  /** Statements (texts) one dequeue, complete, failed dequeue-and-fail and cancel send on a queue with `limits`. */
  async function stepStatements(name: string, limits: QueueLimits | undefined): Promise<string[][]> {
    const { pool, texts } = recordingPool();
    pools.push(pool);
    const backend = bed.backend({ pool });
    await backend.ready();
    const queue = backend.queue<number>(name, limits === undefined ? {} : { limits });
    await queue.enqueueMany([1, 2, 3].map((n) => ({ payload: n, id: `t${n}` })));
    const steps: string[][] = [];
    const step = async (run: () => Promise<unknown>): Promise<void> => {
      const before = texts.length;
      await run();
      steps.push(texts.slice(before));
    };
    const [first] = await queue.dequeueMany(1);
    await step(() => queue.dequeue());
    await step(() => queue.complete(first!));
    const third = (await queue.dequeue())!;
    await step(() => queue.fail(third, new Error('no'), { retryInMs: 60_000 }));
    await step(() => queue.cancel('t2'));
    return steps;
  }

  it('a handle without limits never judges them, and every handle tells held claims of the slots it frees: one statement per step', async () => {
    bed = new PgTestBed(freshSchema('plain'));
    const plain = await stepStatements('plain', undefined);
    const limited = await stepStatements('limited', { concurrency: 5, rate: { max: 100, perMs: 60_000 } });
    // dequeue, complete, fail, cancel: one statement each, with limits or without
    expect(plain.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    expect(limited.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    expect(plain.flat().filter((text) => /queue_claim_limited|queue_limited_gate/.test(text))).toEqual([]);
    expect(limited.flat().filter((text) => /queue_claim_limited/.test(text))).toHaveLength(1);
    // complete, fail and cancel are the same statements for both (see the v7 migration)
    expect(plain.slice(1)).toEqual(limited.slice(1));
    expect(
      plain
        .slice(1)
        .flat()
        .filter((text) => /queue_freed/.test(text)),
    ).toHaveLength(3);
    const sql = await bed.sql();
    const { rows } = await sql.query<{ queue: string }>(`SELECT queue FROM "${bed.schema}".queue_limits`);
    expect(rows.map((r) => r.queue)).toEqual(['limited']);
  });

  it('claims racing from four backends lease exactly `concurrency` tasks, and start exactly `rate.max`', async () => {
    bed = new PgTestBed(freshSchema('race'));
    const backends = Array.from({ length: 4 }, () => bed.backend());
    await Promise.all(backends.map((b) => b.ready()));
    for (const [name, limits, allowed] of [
      ['race-concurrency', { concurrency: 3 }, 3],
      ['race-rate', { rate: { max: 5, perMs: 600_000 } }, 5],
    ] as const) {
      const queues = backends.map((b) => b.queue<number>(name, { limits }));
      await queues[0]!.enqueueMany(Array.from({ length: 60 }, (_, i) => ({ payload: i })));
      // five calls per backend at once, each asking for four
      const leased = (await Promise.all(queues.flatMap((q) => Array.from({ length: 5 }, () => q.dequeueMany(4))))).flat();
      expect(leased, name).toHaveLength(allowed);
      expect(new Set(leased.map((l) => l.id)).size, name).toBe(allowed);
      expect(await queues[1]!.stats(), name).toMatchObject({ active: allowed, waiting: 60 - allowed });
    }
  });

  it('a worker at limits.concurrency 1 runs one statement per task: the completion in the claim frees the slot it takes', async () => {
    bed = new PgTestBed(freshSchema('fusedlimits'));
    const { pool, texts } = recordingPool();
    pools.push(pool);
    const backend = bed.backend({ pool });
    await backend.ready();
    const queue = backend.queue<number>('work', { limits: { concurrency: 1 } });
    const tasks = 100;
    await queue.enqueueMany(Array.from({ length: tasks }, (_, i) => ({ payload: i })));
    const done = new Set<number>();
    const scheduler = new Scheduler(backend, new SystemClock(), silentLogger, { nodeId: 'n1' });
    let finished!: () => void;
    const allDone = new Promise<void>((resolve) => (finished = resolve));
    scheduler.handle<number>(
      'work',
      async (task) => {
        done.add(task.payload);
        if (done.size === tasks) finished();
      },
      { queue: { limits: { concurrency: 1 } } },
    );
    const before = texts.length;
    await scheduler.start();
    await allDone;
    await until(async () => (await queue.stats()).active === 0, 5_000);
    const used = texts.length - before;
    await scheduler.stop();
    expect(done.size).toBe(tasks);
    // one claim per task (held back by its own lease it would take two or more), plus the scheduler's own
    expect(used).toBeLessThan(tasks * 1.25);
  });

  it('a freed slot NOTIFYs the queue only while a claim is held back, and a held claim is not registered for enqueues', async () => {
    bed = new PgTestBed(freshSchema('slots'));
    const options = { limits: { concurrency: 1 }, visibilityTimeoutMs: 60_000 };
    const holder = bed.backend().queue<number>('q', options);
    await holder.enqueueMany([1, 2, 3].map((n) => ({ payload: n, id: `t${n}` })));
    const sql = await bed.sql();
    const channel = `"${channelName(bed.schema, 'queue', 'q')}"`;
    const heard: string[] = [];
    sql.on('notification', (n) => heard.push(n.payload ?? ''));
    await sql.query(`LISTEN ${channel}`);
    // nobody held back: the completion sends nothing
    expect(await holder.complete((await holder.dequeue())!)).toBe(true);
    const second = (await holder.dequeue())!;
    const waiting = bed.backend().queue<number>('q', options).dequeue({ waitMs: 30_000 });
    const s = `"${bed.schema}"`;
    expect(await until(async () => (await sql.query(`SELECT 1 FROM ${s}.queue_limits WHERE held_until > ${s}.now_ms()`)).rowCount === 1, 5_000)).toBe(true);
    // held back, not waiting for work: an enqueue sends nothing either
    expect((await sql.query(`SELECT 1 FROM ${s}.queue_waiters`)).rowCount).toBe(0);
    await holder.enqueue(4, { id: 't4' });
    expect(await holder.complete(second)).toBe(true);
    expect((await waiting)?.id).toBe('t3');
    // notifications arrive in commit order: this one comes after any the steps above sent
    await sql.query(`NOTIFY ${channel}, 'end'`);
    expect(await until(() => heard.includes('end'), 5_000)).toBe(true);
    expect(heard).toEqual(['-1', 'end']);
  });
  /**
   * A handle without limits (another process's, or one opened without them) frees slots too. A
   * claim held back by `concurrency` sleeps for a NOTIFY of the freed slot, with the earliest lease
   * deadline and the slow look (2 s) as timers; the waiting backend here runs on a clock that never
   * moves, so no timer ever fires and only the notification can start the held worker.
   */
  describe('a slot freed through a handle without limits wakes the claim held back by concurrency', () => {
    type Leases = Array<Awaited<ReturnType<Queue<number>['dequeue']>>>;
    const freeings: Array<[string, (plain: Queue<number>, leases: Leases) => Promise<unknown>, number?]> = [
      ['a completion', (plain, [first]) => plain.complete(first!)],
      ['a fail that retries later', (plain, [first]) => plain.fail(first!, new Error('later'), { retryInMs: 600_000 })],
      ['a fail that dead-letters', (plain, [first]) => plain.fail(first!, new Error('dead')), 1],
      ['a cancellation', (plain, [first]) => plain.cancel(first!.id)],
      // the completions ride in the claim's statement, which leases t3 and so frees one slot net
      ['completions in a claim', (plain, [first, second]) => Promise.all([plain.complete(first!), plain.complete(second!), plain.dequeue()])],
    ];
    for (const [label, free, maxAttempts] of freeings)
      it(label, async () => {
        bed = new PgTestBed(freshSchema('mixed'));
        const plain = bed.backend().queue<number>('q', { visibilityTimeoutMs: 600_000, ...(maxAttempts === undefined ? {} : { maxAttempts }) });
        await plain.enqueueMany([1, 2, 3, 4].map((n) => ({ payload: n, id: `t${n}` })));
        const leases = [await plain.dequeue(), await plain.dequeue()];
        const limited = bed.backend({ clock: new ManualClock() }).queue<number>('q', { limits: { concurrency: 2 } });
        let started: string | undefined;
        const waiting = limited.dequeue({ waitMs: 600_000 }).then((lease) => (started = lease?.id ?? 'none'));
        const sql = await bed.sql();
        const s = `"${bed.schema}"`;
        const held = async (): Promise<boolean> => (await sql.query(`SELECT 1 FROM ${s}.queue_limits WHERE held_until > ${s}.now_ms()`)).rowCount === 1;
        expect(await until(held, 5_000)).toBe(true);
        // held: nothing wakes it while no slot frees (an enqueue does not)
        await plain.enqueue(5, { id: 't5' });
        await free(plain, leases);
        expect(await until(() => started !== undefined, 10_000)).toBe(true);
        expect(started).toMatch(/^t[3-5]$/);
        await waiting;
        if (maxAttempts !== undefined) expect((await plain.stats()).dead).toBe(1);
      });
  });
});
