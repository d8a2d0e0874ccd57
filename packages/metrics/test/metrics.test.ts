import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, Scheduler, silentLogger, type Task } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';
import { BatonMetrics, metricsHandler } from '../src/index.js';

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

describe('@baton/metrics (memory)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function setup(): { clock: ManualClock; backend: MemoryBackend; scheduler: Scheduler } {
    const clock = new ManualClock();
    const backend = new MemoryBackend({ clock, store: new MemoryStore(), logger: silentLogger });
    const scheduler = new Scheduler(backend, clock, silentLogger, { nodeId: 'n1', idleWaitMs: 1_000 });
    cleanups.push(() => backend.close());
    cleanups.push(() => scheduler.stop({ timeoutMs: 0 }));
    return { clock, backend, scheduler };
  }

  it('counts enqueues, outcomes, waits and run times of this process, and reads depths and nodes at scrape time', async () => {
    const { clock, backend, scheduler } = setup();
    const metrics = new BatonMetrics({ backend, queues: ['jobs'], groups: ['workers'], clock }).observeScheduler(scheduler);
    cleanups.push(() => metrics.close());
    const settled: string[] = [];
    scheduler.on('completed', (task) => settled.push(task.id));
    scheduler.on('dead', (task) => settled.push(task.id));
    scheduler.handle(
      'jobs',
      async (task: Task<string>) => {
        await clock.sleep(2_000);
        if (task.payload === 'bad') throw new Error('boom');
      },
      { queue: { maxAttempts: 1 } },
    );
    const jobs = backend.queue<string>('jobs');
    await jobs.enqueueMany([
      { payload: 'ok', id: 'a' },
      { payload: 'bad', id: 'b' },
      { payload: 'ok', id: 'a' },
    ]);
    await jobs.enqueue('later', { delayMs: 3_600_000 });
    await clock.advance(30_000);
    await scheduler.start();
    await clock.advanceUntil(() => settled.length === 2, { maxMs: 60_000, what: 'a and b to settle' });

    const text = await metrics.metrics();
    expect(sample(text, 'baton_tasks_enqueued_total', { queue: 'jobs' })).toBe(3);
    expect(sample(text, 'baton_tasks_completed_total', { queue: 'jobs' })).toBe(1);
    expect(sample(text, 'baton_tasks_failed_total', { queue: 'jobs' })).toBe(1);
    expect(sample(text, 'baton_tasks_dead_total', { queue: 'jobs' })).toBe(1);
    expect(sample(text, 'baton_task_run_seconds_count', { queue: 'jobs', outcome: 'completed' })).toBe(1);
    expect(sample(text, 'baton_task_run_seconds_sum', { queue: 'jobs', outcome: 'completed' })).toBe(2);
    // both waited the 30 s before the scheduler started, b also the 2 s a ran (concurrency 1)
    expect(sample(text, 'baton_task_wait_seconds_count', { queue: 'jobs' })).toBe(2);
    expect(sample(text, 'baton_task_wait_seconds_sum', { queue: 'jobs' })).toBe(62);
    expect(sample(text, 'baton_task_wait_seconds_bucket', { queue: 'jobs', le: '14400' })).toBe(2);
    expect(sample(text, 'baton_queue_tasks', { queue: 'jobs', state: 'delayed' })).toBe(1);
    expect(sample(text, 'baton_queue_tasks', { queue: 'jobs', state: 'dead' })).toBe(1);
    expect(sample(text, 'baton_queue_tasks', { queue: 'jobs', state: 'waiting' })).toBe(0);
    expect(sample(text, 'baton_queue_oldest_waiting_age_seconds', { queue: 'jobs' })).toBeUndefined();
    // mirrors stats().deadDropped where the backend counts dropped dead letters, absent otherwise
    expect(sample(text, 'baton_queue_dead_dropped', { queue: 'jobs' })).toBe((await jobs.stats()).deadDropped);
    expect(sample(text, 'baton_nodes', { group: 'workers' })).toBe(0);
    await backend.registry('workers').register({ id: 'w1' });
    expect(sample(await metrics.metrics(), 'baton_nodes', { group: 'workers' })).toBe(1);
  });

  it('reads the age of the task first in line, and every queue the backend knows when no queues are named', async () => {
    const { clock, backend } = setup();
    const metrics = new BatonMetrics({ backend, clock });
    cleanups.push(() => metrics.close());
    await backend.queue('a').enqueue(1);
    await clock.advance(90_000);
    await backend.queue('b').enqueue(2);
    await clock.advance(10_000);
    const text = await metrics.metrics();
    expect(sample(text, 'baton_queue_oldest_waiting_age_seconds', { queue: 'a' })).toBe(100);
    expect(sample(text, 'baton_queue_oldest_waiting_age_seconds', { queue: 'b' })).toBe(10);
    expect(sample(text, 'baton_queue_tasks', { queue: 'b', state: 'waiting' })).toBe(1);
  });

  it('reports lock waits by kind and outcome, and the leader of each observed election', async () => {
    const { clock, backend, scheduler } = setup();
    const metrics = new BatonMetrics();
    cleanups.push(() => metrics.close());
    const locks = backend.locks();
    const held = await locks.acquire('r', { ttlMs: 60_000 });
    const refused = locks.acquire('r', { waitMs: 250 }).catch((e: unknown) => e);
    await clock.advance(250);
    expect(await refused).toMatchObject({ code: 'LOCK_TIMEOUT' });
    await held.release();
    const election = scheduler.elect('cron', { ttlMs: 5_000 });
    metrics.observeElection(election);
    expect(sample(await metrics.metrics(), 'baton_leader', { election: 'cron' })).toBe(0);
    await scheduler.start();
    await clock.advanceUntil(() => election.isLeader, { maxMs: 10_000, what: 'the election to be won' });
    const text = await metrics.metrics();
    expect(sample(text, 'baton_leader', { election: 'cron' })).toBe(1);
    expect(sample(text, 'baton_lock_wait_seconds_count', { kind: 'lock', outcome: 'timeout' })).toBe(1);
    expect(sample(text, 'baton_lock_wait_seconds_sum', { kind: 'lock', outcome: 'timeout' })).toBe(0.25);
    expect(sample(text, 'baton_lock_wait_seconds_count', { kind: 'lock', outcome: 'acquired' })).toBeGreaterThanOrEqual(1);
  });

  it('a gauge the backend cannot answer is left out and counted, and the rest of the scrape still works', async () => {
    const { backend } = setup();
    const metrics = new BatonMetrics({ backend, queues: ['jobs'] });
    cleanups.push(() => metrics.close());
    await backend.close();
    const text = await metrics.metrics();
    expect(sample(text, 'baton_queue_tasks', { queue: 'jobs', state: 'waiting' })).toBeUndefined();
    expect(sample(text, 'baton_metrics_collect_errors_total', { source: 'queue' })).toBe(1);
    expect(() => new BatonMetrics({ queues: ['jobs'] })).toThrow(/options.backend/);
  });

  it('after close() nothing more is counted', async () => {
    const { backend } = setup();
    const metrics = new BatonMetrics();
    await backend.queue('jobs').enqueue(1);
    metrics.close();
    await backend.queue('jobs').enqueue(2);
    expect(sample(await metrics.metrics(), 'baton_tasks_enqueued_total', { queue: 'jobs' })).toBe(1);
  });

  it('metricsHandler serves the text format on GET and refuses other methods', async () => {
    const metrics = new BatonMetrics();
    cleanups.push(() => metrics.close());
    const server: Server = createServer(metricsHandler(metrics));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as { port: number };
    const got = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toContain('text/plain');
    expect(await got.text()).toContain('# TYPE baton_tasks_enqueued_total counter');
    const posted = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
    expect([posted.status, posted.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
