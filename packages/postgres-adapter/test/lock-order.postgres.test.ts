import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { adminSql } from '../src/queue/admin-sql.js';
import { queueSql } from '../src/queue/queue-sql.js';
import { channelName } from '../src/schema/identifiers.js';
import { freshSchema, PgTestBed, postgresUrl, until } from './support.js';

/**
 * The queue statements run here on sessions of their own, in an order forced by a blocker that
 * holds a lock until it commits, to check that no interleaving of an enqueue of a leased id, a
 * step that frees the lease, and a claim registering as waiting or held can wait in a circle (see
 * "Lock order" in the adapter's README). Each session gives up a lock wait after `lock_timeout`,
 * so a circle fails the test with 55P03 (or 40P01 when the server finds it first) instead of hanging.
 */
describe.skipIf(postgresUrl === '')('postgres adapter: lock order of the queue statements', () => {
  let bed: PgTestBed;
  const sessions: pg.Client[] = [];
  afterEach(async () => {
    await Promise.allSettled(sessions.splice(0).map((c) => c.end()));
    await bed.close();
  });

  /** A session whose lock waits end after 5 s; `deadlockTimeout` as the server's setting. */
  async function session(deadlockTimeout = '1s'): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: postgresUrl, options: `-c lock_timeout=5000 -c deadlock_timeout=${deadlockTimeout}` });
    await client.connect();
    sessions.push(client);
    return client;
  }

  /** Resolves once `client`'s statement `running` waits for a lock (or has ended already). */
  async function blocked(client: pg.Client, running: Promise<unknown>): Promise<void> {
    let settled = false;
    running.then(
      () => (settled = true),
      () => (settled = true),
    );
    const pid = (client as unknown as { processID: number }).processID;
    const look = await session();
    const waiting = async (): Promise<boolean> =>
      settled || (await look.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid])).rowCount === 1;
    expect(await until(waiting, 5_000)).toBe(true);
  }

  /** The codes of the statements that failed. */
  async function failures(statements: Array<Promise<unknown>>): Promise<string[]> {
    const results = await Promise.allSettled(statements);
    return results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : []));
  }

  async function setUp(label: string, limited: boolean): Promise<{ s: string; channel: string; lease: { id: string; token: string } }> {
    bed = new PgTestBed(freshSchema(label));
    const queue = bed.backend().queue<number>('q', { visibilityTimeoutMs: 600_000, ...(limited ? { limits: { concurrency: 1 } } : {}) });
    await queue.enqueue(1, { id: 't1' });
    const lease = (await queue.dequeue())!;
    return { s: `"${bed.schema}"`, channel: channelName(bed.schema, 'queue', 'q'), lease };
  }

  it('a claim completing a lease, a claim held back by concurrency and an enqueue of the leased id do not deadlock', async () => {
    const { s, channel, lease } = await setUp('claimhold', true);
    const sql = queueSql(s);
    const queue = await session();
    await queue.query(`INSERT INTO ${s}.tasks (queue, id, state, seq, enqueued_at, payload) VALUES ('q', 't2', 0, 0, 0, '2')`);
    // the blocker stands for another limited claim judging the queue
    const blocker = await session();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM ${s}.queue_limits WHERE queue = 'q' FOR UPDATE`);
    // a claim that will be held back (t1 is leased, concurrency 1) and mark the queue held
    const heldSession = await session();
    const held = heldSession.query(sql.limited.claimWaiting, ['q', 1, 600_000, 'h', [], [], [], 60_000, null, channel, 1, 0, 0, 5_000, 'w1', 5_000]);
    await blocked(heldSession, held);
    // a worker's claim that carries the completion of t1
    const completingSession = await session();
    const completing = completingSession.query(sql.limited.claim, ['q', 1, 600_000, 'c', [lease.id], [lease.token], [null], 60_000, null, channel, 1, 0, 0, 0]);
    await blocked(completingSession, completing);
    // a producer enqueueing t1 again
    const enqueueSession = await session();
    const enqueue = enqueueSession.query(sql.enqueueOne, ['q', 't1', '1', 0, channel, 0, null]);
    await blocked(enqueueSession, enqueue);
    await blocker.query('COMMIT');
    expect(await failures([held, completing, enqueue])).toEqual([]);
  });

  // Each of these steps frees the lease of t1 while an enqueue of t1 and a claim registering as
  // waiting (it finds nothing ready) are under way. The server untangles such a wait after
  // deadlock_timeout by letting the step jump the claim's place in line (a stall of 1 s by
  // default): set high here, the stall shows as a lock timeout.
  const steps: Array<[string, boolean, (sql: ReturnType<typeof queueSql>, channel: string, lease: { id: string; token: string }) => [string, unknown[]]]> = [
    ['a fail that retries', false, (sql, channel, l) => [sql.fail, ['q', l.id, l.token, false, 0, 'again', channel]]],
    // on a queue with limits, each freeing step looks for a claim held back by concurrency
    ['a fail that dead-letters on a queue with limits', true, (sql, channel, l) => [sql.fail, ['q', l.id, l.token, true, 0, 'dead', channel]]],
    ['a completion on a queue with limits', true, (sql, channel, l) => [sql.complete, ['q', [l.id], [l.token], [null], 60_000, channel]]],
    ['a cancellation on a queue with limits', true, (sql, channel, l) => [sql.cancel, ['q', l.id, null, 60_000, channel]]],
  ];
  for (const [label, limited, step] of steps)
    it(`${label}, an enqueue of the leased id and a claim registering as waiting do not wait in a circle`, async () => {
      const { s, channel, lease } = await setUp('freeing', limited);
      const sql = queueSql(s);
      const blocker = await session();
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${s}.tasks WHERE queue = 'q' AND id = 't1' FOR UPDATE`);
      const stepSession = await session('60s');
      const [text, values] = step(sql, channel, lease);
      const freeing = stepSession.query(text, values);
      await blocked(stepSession, freeing);
      const enqueueSession = await session('60s');
      const enqueue = enqueueSession.query(sql.enqueueOne, ['q', 't1', '1', 0, channel, 0, null]);
      await blocked(enqueueSession, enqueue);
      const claimSession = await session('60s');
      const claim = claimSession.query(sql.claimWaiting, ['q', 1, 600_000, 'w', [], [], [], 60_000, null, channel, 'w1', 5_000]);
      await blocked(claimSession, claim);
      await blocker.query('COMMIT');
      expect(await failures([freeing, enqueue, claim])).toEqual([]);
    });
  it('a batch of completions and an enqueue of the same ids lock the rows in one order', async () => {
    bed = new PgTestBed(freshSchema('rows'));
    const queue = bed.backend().queue<number>('q', { visibilityTimeoutMs: 600_000 });
    // leased in the order b, x, a: the order in which a completion's plan may visit them (by
    // deadline, then row position); an enqueue locks existing rows in id order
    const leases = new Map<string, string>();
    for (const id of ['b', 'x', 'a']) {
      await queue.enqueue(0, { id });
      leases.set(id, (await queue.dequeue())!.token);
    }
    const sql = queueSql(`"${bed.schema}"`);
    const channel = channelName(bed.schema, 'queue', 'q');
    const blocker = await session();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM "${bed.schema}".tasks WHERE queue = 'q' AND id = 'x' FOR UPDATE`);
    // a worker pool completing b, x and a in one turn (the order they finished in)
    const completingSession = await session();
    const ids = ['b', 'x', 'a'];
    const completing = completingSession.query(sql.complete, ['q', ids, ids.map((id) => leases.get(id)), ids.map(() => null), 60_000, channel]);
    await blocked(completingSession, completing);
    // a producer enqueueing a and b again
    const enqueueSession = await session();
    const enqueue = enqueueSession.query(sql.enqueue, ['q', ['a', 'b'], ['1', '2'], [0, 0], channel, [0, 0], [null, null]]);
    await blocked(enqueueSession, enqueue);
    await blocker.query('COMMIT');
    expect(await failures([completing, enqueue])).toEqual([]);
  });
  it('the dead-letter retention and an enqueue re-queuing the same dead ids never wait for each other', async () => {
    bed = new PgTestBed(freshSchema('dead'));
    const queue = bed.backend().queue<number>('q', { maxAttempts: 1 });
    // dead in the order a, x, b: the retention's plan may visit them newest first (the dead index),
    // b, x, a; an enqueue locks them in id order
    for (const id of ['a', 'x', 'b']) {
      await queue.enqueue(0, { id });
      await queue.fail((await queue.dequeue())!, new Error('dead'));
    }
    const s = `"${bed.schema}"`;
    const channel = channelName(bed.schema, 'queue', 'q');
    const blocker = await session();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM ${s}.tasks WHERE queue = 'q' AND id = 'x' FOR UPDATE`);
    // keep no dead letter
    const retentionSession = await session();
    const retention = retentionSession.query(adminSql(s).pruneDead, ['q', 0, 86_400_000, 1_000]);
    await blocked(retentionSession, retention);
    const enqueueSession = await session();
    const enqueue = enqueueSession.query(queueSql(s).enqueue, ['q', ['a', 'b'], ['1', '2'], [0, 0], channel, [0, 0], [null, null]]);
    await blocked(enqueueSession, enqueue);
    await blocker.query('COMMIT');
    expect(await failures([retention, enqueue])).toEqual([]);
  });
});
