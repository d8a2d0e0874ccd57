import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { channelName } from '../src/schema/identifiers.js';
import { freshSchema, PgTestBed, postgresUrl, until } from './support.js';

describe.skipIf(postgresUrl === '')('postgres adapter: inspection and admin', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  /** Resolves once a backend is registered as waiting on the queue. */
  const waiterRegistered = (sql: pg.Client): Promise<boolean> =>
    until(async () => (await sql.query(`SELECT 1 FROM "${bed.schema}".queue_waiters`)).rowCount === 1, 3_000);

  // A blocked worker looks again at the slow poll (2 s) anyway; these check that it is told at once.
  it('resume and retryDead NOTIFY the queue while a worker waits on it, and the worker gets the task', async () => {
    bed = new PgTestBed(freshSchema('wake'));
    const admin = bed.backend().queue<string>('q', { maxAttempts: 1 });
    const sql = await bed.sql();
    const heard: string[] = [];
    sql.on('notification', (n) => heard.push(n.payload ?? ''));
    await sql.query(`LISTEN "${channelName(bed.schema, 'queue', 'q')}"`);

    await admin.pause();
    await admin.enqueue('after the pause', { id: 'p' });
    const paused = bed.backend().queue<string>('q').dequeue({ waitMs: 10_000 });
    expect(await waiterRegistered(sql)).toBe(true);
    heard.length = 0;
    await admin.resume();
    expect(await until(() => heard.length > 0, 2_000)).toBe(true);
    expect(heard).toEqual(['0']);
    expect((await paused)?.id).toBe('p');

    await admin.enqueue('dies', { id: 'd' });
    await admin.fail((await admin.dequeue())!, 'x');
    const redriven = bed.backend().queue<string>('q').dequeue({ waitMs: 10_000 });
    expect(await until(async () => (await sql.query(`SELECT 1 FROM "${bed.schema}".queue_waiters`)).rowCount! >= 1, 3_000)).toBe(true);
    heard.length = 0;
    expect(await admin.retryDead(['d'])).toBe(1);
    expect(await until(() => heard.length > 0, 2_000)).toBe(true);
    expect((await redriven)?.id).toBe('d');
  });

  it('a paused flag is one row of queues, read by the claim statement, and the queue is known from its first enqueue', async () => {
    bed = new PgTestBed(freshSchema('paused'));
    const q = bed.backend().queue<number>('q');
    await q.enqueue(1);
    const sql = await bed.sql();
    const row = async (): Promise<unknown> => (await sql.query(`SELECT queue, paused FROM "${bed.schema}".queues`)).rows;
    expect(await row()).toEqual([{ queue: 'q', paused: false }]);
    await q.pause();
    expect(await row()).toEqual([{ queue: 'q', paused: true }]);
    // the flag set by another process (here by hand) holds for a handle that never paused
    await sql.query(`UPDATE "${bed.schema}".queues SET paused = false`);
    const other = bed.backend().queue<number>('q');
    expect(await other.isPaused()).toBe(false);
    expect((await other.dequeue())?.payload).toBe(1);
    await q.enqueue(2);
    await sql.query(`UPDATE "${bed.schema}".queues SET paused = true`);
    expect(await other.dequeue()).toBeNull();
    expect(await other.isPaused()).toBe(true);
  });
});
