import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Lease } from '@baton/core';
import { Resources, sleep, uniquePrefix } from './helpers.js';

// What priorities mean for the Redis key layout: priority 0 stays in the plain wait list (raw
// LPUSHes are priority 0, a plain task's element is what it always was), other priorities in
// their own sorted set, and a prioritized task made ready outside an enqueue wakes blocked workers.

const url = inject('redisUrl');
const r = new Resources();

describe.skipIf(url === '')(`redis priorities${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a raw LPUSH element is priority 0: after higher priorities, before lower ones, FIFO with plain tasks', async () => {
    const tasks = `${uniquePrefix('recipe')}:tasks`;
    const raw = r.raw(url);
    const q = r.backend(url, { prefix: uniquePrefix('prio') }).queue<string>('tasks', { keys: { waiting: tasks } });
    await q.enqueue('low', { id: 'low', priority: -1 });
    await q.enqueue('plain', { id: 'plain' });
    await raw.lpush(tasks, 'raw-1');
    await q.enqueue('high', { id: 'high', priority: 1 });
    await raw.lpush(tasks, 'raw-2');
    const leases: Lease<string>[] = [];
    for (let lease = await q.dequeue(); lease !== null; lease = await q.dequeue()) leases.push(lease);
    expect(leases.map((l) => `${l.id}@${l.priority}`)).toEqual(['high@1', 'plain@0', 'raw-1@0', 'raw-2@0', 'low@-1']);
  });

  it('a plain task is stored in the wait list as before priorities existed; a prioritized one is not in the list', async () => {
    const tasks = `${uniquePrefix('recipe')}:tasks`;
    const raw = r.raw(url);
    const q = r.backend(url, { prefix: uniquePrefix('prio') }).queue('tasks', { keys: { waiting: tasks } });
    await q.enqueue({ n: 1 }, { id: 'p0' });
    await q.enqueue({ n: 2 }, { id: 'p5', priority: 5, headers: { h: 'v' } });
    const elements = await raw.lrange(tasks, 0, -1);
    expect(elements).toHaveLength(1);
    expect(Object.keys(JSON.parse(elements[0]!) as object)).toEqual(['baton', 'id', 'payload', 'attempt', 'enqueuedAt']);
    expect(await q.stats()).toMatchObject({ waiting: 2 });
  });

  it('a worker blocked waiting is woken by a prioritized retry and by a prioritized lease recovered, without polling', async () => {
    const prefix = uniquePrefix('prio-wake');
    const producer = r.backend(url, { prefix }).queue<string>('jobs', { visibilityTimeoutMs: 200 });
    const worker = r.backend(url, { prefix }).queue<string>('jobs');
    await producer.enqueue('retried', { id: 'retried', priority: 3 });
    const first = (await producer.dequeue())!;
    // far longer than the test may run: only a wake-up ends these waits
    let waiting = worker.dequeue({ waitMs: 60_000 });
    await sleep(100);
    expect(await producer.fail(first, new Error('again'), { retryInMs: 0 })).toBe('retry');
    expect(await waiting).toMatchObject({ id: 'retried', priority: 3, attempt: 2 });

    await producer.enqueue('stalls', { id: 'stalls', priority: -2 });
    expect((await producer.dequeue())!.id).toBe('stalls');
    waiting = worker.dequeue({ waitMs: 60_000 });
    await sleep(300);
    expect(await producer.recoverStalled()).toBe(1);
    expect(await waiting).toMatchObject({ id: 'stalls', priority: -2, attempt: 2 });
  });

  it('the prioritized set and its sequence are gone once drained', async () => {
    const prefix = uniquePrefix('prio-empty');
    const raw = r.raw(url);
    const q = r.backend(url, { prefix }).queue('jobs');
    await q.enqueueMany([1, 2, 3].map((n) => ({ payload: n, priority: n })));
    expect(await raw.keys(`${prefix}:*:prioritized`)).toHaveLength(1);
    expect(await raw.keys(`${prefix}:*:sequence`)).toHaveLength(1);
    expect(await q.dequeueMany(3)).toHaveLength(3);
    expect(await raw.keys(`${prefix}:*:prioritized`)).toEqual([]);
    expect(await raw.keys(`${prefix}:*:sequence`)).toEqual([]);
  });
});
