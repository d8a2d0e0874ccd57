import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { ManualClock, type Lease, type Queue } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { startRedisCluster, type RedisClusterHandle } from '../../../test/setup/redis-cluster.js';
import { RedisBackend } from '../src/index.js';
import { shardOf } from '../src/queue/sharded-queue-store.js';
import { sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';

/** Takes every task with `workers` concurrent loops, completing each; returns the ids in order of completion. */
async function drain(queues: Array<Queue<unknown>>, workers: number, waitMs = 300): Promise<string[]> {
  const done: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const q = queues[w % queues.length]!;
      for (;;) {
        const batch = await q.dequeueMany(5, { waitMs });
        if (batch.length === 0) return;
        for (const lease of batch) if (await q.complete(lease)) done.push(lease.id);
      }
    }),
  );
  return done;
}

describe.skipIf(!available)(`sharded queues on a 3-master Redis Cluster${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  let cluster: RedisClusterHandle | undefined;
  let inspect: Cluster | undefined;
  const backends: RedisBackend[] = [];
  const nodes: Redis[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    inspect = new Cluster(cluster.startupNodes);
    for (const n of cluster.nodes) nodes.push(new Redis(n.port, '127.0.0.1'));
  }, 60_000);
  afterEach(async () => {
    await Promise.allSettled(backends.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    inspect?.disconnect();
    for (const n of nodes) n.disconnect();
    await cluster?.stop();
  });

  function backend(prefix: string): RedisBackend {
    const b = new RedisBackend({ cluster: cluster!.startupNodes, prefix });
    backends.push(b);
    return b;
  }

  it('a 16-shard queue puts keys on every master, one hash tag per shard', async () => {
    const prefix = uniquePrefix('shard-keys');
    const q = backend(prefix).queue<number>('jobs', { shards: 16 });
    await q.enqueueMany(Array.from({ length: 200 }, (_, i) => ({ payload: i })));
    const perNode = await Promise.all(nodes.map((n) => n.keys(`${prefix}:*`)));
    for (const keys of perNode) expect(keys.length).toBeGreaterThan(0);
    const tags = new Set(
      perNode
        .flat()
        .filter((k) => k !== `${prefix}:{queues}`)
        .map((k) => /\{queue:jobs:s(\d+)\}/.exec(k)?.[1]),
    );
    expect([...tags].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('every task is delivered once, duplicates and finished ids are recognised, and stats add up to zero', async () => {
    const prefix = uniquePrefix('shard-once');
    const [a, b] = [backend(prefix), backend(prefix)];
    const qa = a.queue('jobs', { shards: 16 });
    const qb = b.queue('jobs', { shards: 16 });
    const given = Array.from({ length: 150 }, (_, i) => ({ payload: i, id: `task-${i}` }));
    const generated = Array.from({ length: 150 }, (_, i) => ({ payload: 1_000 + i }));
    const results = [...(await qa.enqueueMany(given)), ...(await qb.enqueueMany(generated))];
    expect(results.every((r) => r.status === 'queued')).toBe(true);
    expect((await qb.enqueue('again', { id: 'task-7' })).status).toBe('duplicate');
    const done = await drain([qa, qb], 6);
    expect(done.length).toBe(300);
    expect(new Set(done)).toEqual(new Set(results.map((r) => r.id)));
    expect((await qa.enqueue('again', { id: 'task-7' })).status).toBe('finished');
    expect(await qb.isFinished('task-149')).toBe(true);
    expect(await qa.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
  });

  it("stats are the sums of the shards' own lists and sets", async () => {
    const prefix = uniquePrefix('shard-stats');
    const q = backend(prefix).queue('jobs', { shards: 16, maxAttempts: 1 });
    await q.enqueueMany(Array.from({ length: 100 }, (_, i) => ({ payload: i })));
    await q.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ payload: i, delayMs: 60_000 })));
    const leased = await q.dequeueMany(10);
    expect(await q.fail(leased[0]!, new Error('boom'))).toBe('dead');
    const stats = await q.stats();
    expect(stats).toEqual({ waiting: 90, active: 9, delayed: 20, dead: 1, deadDropped: 0 });
    let waiting = 0;
    let active = 0;
    let delayed = 0;
    for (let s = 0; s < 16; s++) {
      const base = `${prefix}:{queue:jobs:s${s}}`;
      waiting += (await inspect!.llen(`${base}:wait`)) + (await inspect!.llen(`${base}:claimed`));
      active += await inspect!.zcard(`${base}:active`);
      delayed += await inspect!.zcard(`${base}:delayed`);
    }
    expect({ waiting, active, delayed }).toEqual({ waiting: 90, active: 9, delayed: 20 });
    expect((await q.deadLetters()).map((t) => t.id)).toEqual([leased[0]!.id]);
  });

  it('inspection reaches every shard: get, list walks, pause, retryDead, remove, purge and queues()', async () => {
    const prefix = uniquePrefix('shard-inspect');
    const [a, b] = [backend(prefix), backend(prefix)];
    const q = a.queue<string>('jobs', { shards: 4, maxAttempts: 1 });
    const other = b.queue<string>('jobs', { shards: 4, maxAttempts: 1 });
    const ids = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    expect(new Set(ids.map((id) => shardOf(id, 4))).size).toBe(4);
    await q.enqueueMany(ids.map((id) => ({ payload: id, id })));
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof other.list>> = await other.list('waiting', cursor === null ? { limit: 7 } : { limit: 7, cursor });
      walked.push(...page.tasks.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor !== null);
    expect(walked.sort()).toEqual(ids);
    expect(await other.get('t05')).toMatchObject({ id: 't05', state: 'waiting', payload: 't05' });
    await q.pause();
    expect(await other.isPaused()).toBe(true);
    expect(await other.dequeueMany(5)).toEqual([]);
    await other.resume();
    for (const lease of await other.dequeueMany(10)) await other.fail(lease, 'x');
    expect((await q.list('dead', { limit: 1_000 })).tasks).toHaveLength(10);
    expect(await q.retryDead({ all: true })).toBe(10);
    expect(await q.remove('t01')).toBe('removed');
    expect(await other.stats()).toMatchObject({ waiting: 39, dead: 0 });
    expect(await other.purge('waiting')).toBe(39);
    expect(await b.queues()).toEqual(['jobs']);
  });

  it('a waiting worker is woken by a task on any shard, without polling', async () => {
    const prefix = uniquePrefix('shard-wake');
    const [worker, producer] = [backend(prefix).queue<string>('jobs', { shards: 16 }), backend(prefix).queue<string>('jobs', { shards: 16 })];
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(new Set(ids.map((id) => shardOf(id, 16))).size).toBeGreaterThan(3);
    // Waits far longer than the test may run: a wake-up that never comes fails it (the test's
    // timeout) instead of being measured against a time bound a loaded machine can miss.
    for (const id of ids) {
      const waiting = worker.dequeue({ waitMs: 60_000 });
      await sleep(50);
      await producer.enqueue(id, { id });
      const lease = (await waiting) as Lease<string>;
      expect(lease.id).toBe(id);
      await worker.complete(lease);
    }
    // a delayed task on some shard wakes a worker waiting on all of them when it falls due
    const waiting = worker.dequeue({ waitMs: 60_000 });
    await sleep(50);
    const sent = Date.now();
    await producer.enqueue('later', { id: 'later', delayMs: 300 });
    expect((await waiting)?.id).toBe('later');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
  });

  it('a worker waiting on every shard stops at once when its signal aborts, and nothing is delivered to it afterwards', async () => {
    const prefix = uniquePrefix('shard-abort');
    const [worker, producer] = [backend(prefix).queue<number>('jobs', { shards: 8 }), backend(prefix).queue<number>('jobs', { shards: 8 })];
    const stop = new AbortController();
    // far longer than the test may take: only the abort can end it
    const waiting = worker.dequeueMany(10, { waitMs: 60_000, signal: stop.signal });
    const idle = Array.from({ length: 8 }, (_, i) => `${prefix}:{queue:jobs:s${i}}:idle`);
    const registered = async (): Promise<boolean> => (await Promise.all(idle.map((k) => inspect!.zcard(k)))).every((n) => n === 1);
    // the sweep over the 8 shards registers the worker on each before it blocks
    for (let i = 0; i < 250 && !(await registered()); i++) await sleep(20);
    expect(await registered()).toBe(true);
    stop.abort();
    expect(await waiting).toEqual([]);
    expect(await Promise.all(idle.map((k) => inspect!.zcard(k)))).toEqual(new Array(8).fill(0));
    await producer.enqueueMany(Array.from({ length: 40 }, (_, i) => ({ payload: i })));
    expect(await producer.stats()).toMatchObject({ waiting: 40, active: 0 });
    expect(await drain([worker], 2)).toHaveLength(40);
  });

  it('dequeue drains the shards fairly, and each shard is FIFO', async () => {
    const prefix = uniquePrefix('shard-fair');
    const q = backend(prefix).queue<number>('jobs', { shards: 16 });
    // ids for two shards only, 40 each, enqueued in order
    const byShard = new Map<number, string[]>();
    for (let i = 0; byShard.size < 2 || [...byShard.values()].some((l) => l.length < 40); i++) {
      const id = `id-${i}`;
      const s = shardOf(id, 16);
      if (!byShard.has(s) && byShard.size === 2) continue;
      const list = byShard.get(s) ?? [];
      if (list.length < 40) list.push(id);
      byShard.set(s, list);
    }
    const [s1, s2] = [...byShard.keys()];
    for (let i = 0; i < 40; i++) {
      await q.enqueue(i, { id: byShard.get(s1!)![i]! });
      await q.enqueue(i, { id: byShard.get(s2!)![i]! });
    }
    const first32: Lease<number>[] = [];
    for (let i = 0; i < 32; i++) first32.push((await q.dequeue())!);
    const from1 = first32.filter((l) => shardOf(l.id, 16) === s1);
    const from2 = first32.filter((l) => shardOf(l.id, 16) === s2);
    expect(from1.length).toBeGreaterThan(4);
    expect(from2.length).toBeGreaterThan(4);
    expect(from1.map((l) => l.payload)).toEqual(from1.map((_, i) => i));
    expect(from2.map((l) => l.payload)).toEqual(from2.map((_, i) => i));
  });

  it('dequeue takes the highest priority of every shard, from either node, keeping priority and headers', async () => {
    const prefix = uniquePrefix('shard-prio');
    const [a, b] = [backend(prefix).queue<number>('jobs', { shards: 8 }), backend(prefix).queue<number>('jobs', { shards: 8 })];
    // 60 tasks over 8 shards, priorities -2..3, enqueued from both nodes in a shuffled order
    const items = Array.from({ length: 60 }, (_, i) => ({ payload: i, id: `p-${i}`, priority: ((i * 7) % 6) - 2, headers: { n: String(i) } }));
    expect(new Set(items.map((t) => shardOf(t.id, 8))).size).toBe(8);
    await a.enqueueMany(items.slice(0, 30));
    await b.enqueueMany(items.slice(30));
    const seen: Lease<number>[] = [];
    for (let lease = await a.dequeue(); lease !== null; lease = await a.dequeue()) {
      seen.push(lease);
      await a.complete(lease);
    }
    expect(seen.map((l) => l.id).sort()).toEqual(items.map((t) => t.id).sort());
    const priorities = seen.map((l) => l.priority);
    expect(priorities).toEqual([...priorities].sort((x, y) => y - x));
    for (const lease of seen) expect(lease.headers).toEqual({ n: String(lease.payload) });
    // a batch takes the best of all shards too
    await b.enqueueMany(items.map((t) => ({ ...t, id: `q-${t.id}` })));
    const batch = await a.dequeueMany(10);
    expect(batch.map((l) => l.priority)).toEqual(new Array(10).fill(3));
  });

  it('refuses shards together with bound key names', () => {
    const b = backend(uniquePrefix('shard-bound'));
    expect(() => b.queue('jobs', { shards: 2, keys: { waiting: 'tasks' } })).toThrow(/shards/);
  });
});

describe('sharded queues on the memory backend', () => {
  it('accept the shards option and deliver every task once', async () => {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock });
    const q = backend.queue<number>('jobs', { shards: 16 });
    await q.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ payload: i, id: `t${i}` })));
    const done = await drain([q as Queue<unknown>], 3, 0);
    expect(new Set(done).size).toBe(50);
    expect(done.length).toBe(50);
    await backend.close();
  });
});
