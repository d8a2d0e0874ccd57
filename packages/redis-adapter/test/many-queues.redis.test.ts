import { Scheduler, SystemClock, silentLogger } from '@baton/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { encodeEnvelope } from '../src/queue/envelope.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';
const r = new Resources();
let server: RedisServerHandle;

/** The test's own connection, named `admin` so it is left out of the counts. */
let adminClient: Redis | undefined;
async function admin(): Promise<Redis> {
  if (!adminClient) {
    adminClient = r.raw(server.url);
    await adminClient.client('SETNAME', 'admin');
  }
  return adminClient;
}

/** The client connections of the private server but the test's own, and how many are in pub/sub mode. */
async function connections(): Promise<{ total: number; pubsub: number }> {
  const lines = ((await (await admin()).client('LIST')) as string).split('\n').filter((line) => line.trim() !== '' && !/ name=admin /.test(line));
  return { total: lines.length, pubsub: lines.filter((line) => / flags=\S*P/.test(line)).length };
}

/** Idle registrations of the process (one per queue whose worker waits). */
async function registrations(prefix: string, queues: number): Promise<number> {
  const pipeline = (await admin()).pipeline();
  for (let i = 0; i < queues; i++) pipeline.zcard(`${prefix}:{queue:q${i}}:idle`);
  const replies = (await pipeline.exec()) ?? [];
  return replies.reduce((sum, [, n]) => sum + Number(n), 0);
}

describe.skipIf(!available)(`redis: many queues in one process${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    adminClient = undefined;
    await r.closeAll();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a Scheduler handling 1,000 queues holds two connections, and runs a task enqueued on every queue', async () => {
    const prefix = uniquePrefix('many');
    const n = 1_000;
    const worker = r.backend(server.url, { prefix });
    const scheduler = new Scheduler(worker, new SystemClock(), silentLogger, { nodeTtlMs: 60_000 });
    const ran = new Set<string>();
    for (let i = 0; i < n; i++) scheduler.handle(`q${i}`, async (task) => void ran.add(String(task.payload)), { concurrency: 1 });
    await scheduler.start();
    try {
      await eventually(async () => (await registrations(prefix, n)) === n, { what: 'every queue to wait', timeoutMs: 30_000, intervalMs: 100 });
      // the main connection and one subscriber, whatever the number of queues
      expect(await connections()).toEqual({ total: 2, pubsub: 1 });
      const producer = r.backend(server.url, { prefix });
      for (let i = 0; i < n; i += 100) {
        await Promise.all(Array.from({ length: 100 }, (_, j) => producer.queue(`q${i + j}`).enqueue(`task-${i + j}`)));
      }
      await eventually(() => ran.size === n, { what: 'every queue to run its task', timeoutMs: 30_000, intervalMs: 50 });
      expect([...ran].sort()).toEqual(Array.from({ length: n }, (_, i) => `task-${i}`).sort());
      expect((await connections()).total).toBe(3);
    } finally {
      await scheduler.stop();
    }
  });

  it('work whose wake-up was lost is found by the safety net within wakeSweepMs', async () => {
    const prefix = uniquePrefix('lost');
    const sweepMs = 300;
    const worker = r.backend(server.url, { prefix, wakeSweepMs: sweepMs });
    const queues = Array.from({ length: 50 }, (_, i) => worker.queue<string>(`q${i}`));
    const waits = queues.map((q) => q.dequeue({ waitMs: 60_000 }));
    await eventually(async () => (await registrations(prefix, 50)) === 50, { what: 'every queue to wait' });
    // An envelope pushed as enqueueTasks would push it, but with nobody told: the wake-up is lost.
    const raw = await admin();
    const task = { id: 'lost-1', json: JSON.stringify('found'), delayMs: 0, priority: 0 };
    const envelope = encodeEnvelope(task as Parameters<typeof encodeEnvelope>[0], Date.now());
    await raw.hset(`${prefix}:{queue:q37}:ids`, 'lost-1', envelope);
    await raw.lpush(`${prefix}:{queue:q37}:wait`, envelope);
    const pushedAt = Date.now();
    const lease = await waits[37]!;
    const late = Date.now() - pushedAt;
    expect(lease).toMatchObject({ id: 'lost-1', payload: 'found', attempt: 1 });
    // one sweep period, plus the lease call and the test's own turns
    expect(late).toBeLessThan(sweepMs + 500);
    // the other queues still wait: one queue with work wakes only that queue
    await sleep(2 * sweepMs);
    expect(await registrations(prefix, 50)).toBe(49);
    await worker.close();
    expect((await Promise.all(waits.filter((_, i) => i !== 37))).every((l) => l === null)).toBe(true);
  });

  it('the safety net asks about the queues that wait now, and still asks after the server lost its scripts', async () => {
    const prefix = uniquePrefix('asked');
    const sweepMs = 200;
    const worker = r.backend(server.url, { prefix, wakeSweepMs: sweepMs });
    const raw = await admin();
    const lose = async (queue: string, id: string): Promise<number> => {
      const envelope = encodeEnvelope({ id, json: JSON.stringify(id), delayMs: 0, priority: 0 } as Parameters<typeof encodeEnvelope>[0], Date.now());
      await raw.hset(`${prefix}:{queue:${queue}}:ids`, id, envelope);
      await raw.lpush(`${prefix}:{queue:${queue}}:wait`, envelope);
      return Date.now();
    };
    const a = worker.queue<string>('a');
    const b = worker.queue<string>('b');
    const first = a.dequeue({ waitMs: 60_000 });
    await eventually(async () => (await raw.zcard(`${prefix}:{queue:a}:idle`)) === 1, { what: 'queue a to wait' });
    // sweeps run while only queue a waits, then queue b waits as well
    await sleep(3 * sweepMs);
    const second = b.dequeue({ waitMs: 60_000 });
    await eventually(async () => (await raw.zcard(`${prefix}:{queue:b}:idle`)) === 1, { what: 'queue b to wait' });
    // queue b's first wait has settled (its channels subscribed, the look that follows made)
    await sleep(sweepMs);
    let pushedAt = await lose('b', 'lost-b');
    expect(await second).toMatchObject({ id: 'lost-b', payload: 'lost-b' });
    // a sweep found it: the wait itself lasts 60 s
    expect(Date.now() - pushedAt).toBeLessThan(sweepMs + 2_000);
    // sweeps ask about queue a alone again, the same call each time; then the server loses its scripts
    await sleep(2 * sweepMs);
    await raw.script('FLUSH');
    pushedAt = await lose('a', 'lost-a');
    expect(await first).toMatchObject({ id: 'lost-a', payload: 'lost-a' });
    // a sweep found it: the wait itself lasts 60 s
    expect(Date.now() - pushedAt).toBeLessThan(sweepMs + 2_000);
  });

  it('recoveries of 1,000 queues started together cost one probe call, and only queues with an expired lease run a recovery', async () => {
    const prefix = uniquePrefix('probe');
    const backend = r.backend(server.url, { prefix });
    const queues = Array.from({ length: 1_000 }, (_, i) => backend.queue<string>(`q${i}`, { visibilityTimeoutMs: 200 }));
    for (const i of [5, 500]) {
      await queues[i]!.enqueue(`stalls-${i}`);
      expect(await queues[i]!.dequeue()).not.toBeNull();
    }
    // a lease that is still live: the probe reads its deadline and leaves it alone
    const live = backend.queue<string>('q7', { visibilityTimeoutMs: 60_000 });
    await live.enqueue('runs');
    expect(await live.dequeue()).not.toBeNull();
    await sleep(250);
    const raw = await admin();
    // both scripts are loaded once before counting (a lone recovery runs without the probe)
    await Promise.all(queues.slice(0, 2).map((q) => q.recoverStalled()));
    await queues[0]!.recoverStalled();
    await raw.config('RESETSTAT');
    const counts = await Promise.all(queues.map((q) => q.recoverStalled()));
    expect(counts.flatMap((n, i) => (n > 0 ? [[i, n]] : []))).toEqual([
      [5, 1],
      [500, 1],
    ]);
    const stats = await raw.info('commandstats');
    const calls = [...stats.matchAll(/^cmdstat_(evalsha|eval|evalsha_ro|eval_ro):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[2]), 0);
    // one findStalledQueues, then recoverStalledTasks on the two queues it named
    expect(calls).toBe(3);
  });

  it('after the subscriber connection drops, waiting queues look again once it is back, without the safety net', async () => {
    const prefix = uniquePrefix('reconnect');
    const worker = r.backend(server.url, { prefix, wakeSweepMs: 600_000 });
    const q = worker.queue<string>('jobs');
    const waiting = q.dequeue({ waitMs: 60_000 });
    const raw = await admin();
    await eventually(async () => (await raw.zcard(`${prefix}:{queue:jobs}:idle`)) === 1, { what: 'the queue to wait' });
    await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // pushed by another client, so nothing announces it; the reconnection is what makes the worker look
    await raw.lpush(`${prefix}:{queue:jobs}:wait`, 'while-away');
    expect(await waiting).toMatchObject({ payload: 'while-away', attempt: 1 });
  });
});
