import { afterEach, describe, expect, inject, it } from 'vitest';
import { Scheduler, silentLogger, SystemClock, TaskCancelledError, type Task } from '@baton/core';
import { eventually } from '../../../test/setup/eventually.js';
import { Resources, uniquePrefix } from './helpers.js';

// A cancellation made on one node reaches the handler running the task on another: through the
// refused lease extension (the store then says "cancelled"), and the task is never retried.

const url = inject('redisUrl');
const r = new Resources();

describe.skipIf(url === '')(`redis cancellation across nodes${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  const schedulers: Scheduler[] = [];
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop({ timeoutMs: 0 })));
    await r.closeAll();
  });

  it("a running task's handler on another node is aborted with TaskCancelledError, and the task is not retried", async () => {
    const prefix = uniquePrefix('cancel-run');
    const worker = r.backend(url, { prefix, logger: silentLogger });
    const client = r.backend(url, { prefix }).queue<string>('jobs', { visibilityTimeoutMs: 400, maxAttempts: 3 });
    const s = new Scheduler(worker, new SystemClock(), silentLogger, { idleWaitMs: 200 });
    schedulers.push(s);
    const started: string[] = [];
    let aborted: unknown;
    const cancelled: Array<[string, unknown]> = [];
    s.on('cancelled', (task: Task, reason) => cancelled.push([task.id, reason]));
    s.handle<string>(
      'jobs',
      async (task, ctx) => {
        started.push(task.id);
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = ctx.signal.reason;
      },
      { queue: { visibilityTimeoutMs: 400, maxAttempts: 3 } },
    );
    await s.start();
    await client.enqueue('x', { id: 'k' });
    await eventually(() => started.length === 1, { what: 'the handler to start' });
    expect(await client.cancel('k', 'stop')).toBe('cancelled');
    await eventually(() => aborted !== undefined, { what: 'the handler to be aborted', timeoutMs: 5_000 });
    expect(aborted).toBeInstanceOf(TaskCancelledError);
    expect(aborted).toMatchObject({ reason: 'stop' });
    expect(cancelled.map(([id]) => id)).toEqual(['k']);
    // well past the lease: nothing comes back to be retried
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await client.recoverStalled()).toBe(0);
    expect(started).toEqual(['k']);
    expect(await client.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    expect(await client.outcome('k')).toEqual({ state: 'cancelled', reason: 'stop' });
  });

  it('a prioritized waiting task, a delayed one and a raw element are each found and removed', async () => {
    const prefix = uniquePrefix('cancel-places');
    const tasks = `${prefix}:recipe-tasks`;
    const raw = r.raw(url);
    const q = r.backend(url, { prefix }).queue<string>('jobs', { keys: { waiting: tasks } });
    await q.enqueueMany([
      { payload: 'p', id: 'prio/1', priority: 4 },
      { payload: 'd', id: 'late', delayMs: 60_000, priority: -1 },
      { payload: 'k', id: 'kept' },
    ]);
    await raw.lpush(tasks, 'raw-1');
    expect(await q.cancel('prio/1')).toBe('cancelled');
    expect(await q.cancel('late')).toBe('cancelled');
    expect(await q.cancel('raw-1')).toBe('cancelled');
    expect(await q.stats()).toEqual({ waiting: 1, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
    expect((await q.dequeueMany(10)).map((l) => l.id)).toEqual(['kept']);
    expect((await q.enqueue('again', { id: 'prio/1' })).status).toBe('cancelled');
  });
});
