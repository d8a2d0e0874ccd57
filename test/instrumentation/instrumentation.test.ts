import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument, isInstrumented, ManualClock, Scheduler, silentLogger, type Instrumentation, type LockWait, type Task } from '@baton/core';
import { MemoryBackend, MemoryStore } from '@baton/memory-adapter';

describe('instrumentation hooks (memory)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function install(i: Instrumentation): void {
    cleanups.push(instrument(i));
  }

  function backend(clock = new ManualClock(), store = new MemoryStore()): MemoryBackend {
    const b = new MemoryBackend({ clock, store, logger: silentLogger });
    cleanups.push(() => b.close());
    return b;
  }

  it('an enqueue hook wraps the store step, may add headers, and sees the results; the first installed is outermost', async () => {
    const order: string[] = [];
    install({
      async enqueue(call, next) {
        order.push(`outer ${call.queue} ${call.tasks.map((t) => t.id).join(',')} headers:${call.headersSupported}`);
        for (const task of call.tasks) task.headers = { ...task.headers, traceparent: `tp-${task.id}` };
        const results = await next();
        order.push(`outer saw ${results.map((r) => r.status).join(',')}`);
        return results;
      },
    });
    install({
      enqueue: async (_call, next) => {
        order.push('inner');
        return next();
      },
    });
    const q = backend().queue<string>('jobs');
    await q.enqueue('a', { id: 'a', headers: { tenant: 't1' } });
    await q.enqueueMany([
      { payload: 'b', id: 'b' },
      { payload: 'a again', id: 'a' },
    ]);
    expect(order).toEqual(['outer jobs a headers:true', 'inner', 'outer saw queued', 'outer jobs b,a headers:true', 'inner', 'outer saw queued,duplicate']);
    const leases = await q.dequeueMany(10);
    expect(leases.map((l) => [l.id, l.headers])).toEqual([
      ['a', { tenant: 't1', traceparent: 'tp-a' }],
      ['b', { traceparent: 'tp-b' }],
    ]);
  });

  it('a run hook wraps each handler run: the handler runs inside it (its async context) and its outcome passes through', async () => {
    const clock = new ManualClock();
    const b = backend(clock);
    const als = new AsyncLocalStorage<string>();
    const runs: string[] = [];
    install({
      run: (run, next) => {
        runs.push(`start ${run.queue} ${run.task.id} on ${run.nodeId}`);
        return als.run(`span-${run.task.id}`, async () => {
          try {
            return await next();
          } finally {
            runs.push(`end ${run.task.id}`);
          }
        });
      },
    });
    const s = new Scheduler(b, clock, silentLogger, { nodeId: 'n1', idleWaitMs: 1_000 });
    cleanups.push(() => s.stop({ timeoutMs: 0 }));
    const seen: Array<string | undefined> = [];
    const outcomes: string[] = [];
    s.handle('jobs', async (task: Task<string>) => {
      seen.push(als.getStore());
      if (task.payload === 'bad') throw new Error('boom');
      return `done ${task.id}`;
    });
    s.on('completed', (task, info) => outcomes.push(`completed ${task.id} ${String(info.result)}`));
    s.on('failed', (task, error) => outcomes.push(`failed ${task.id} ${(error as Error).message}`));
    await b.queue('jobs').enqueueMany([
      { payload: 'ok', id: 't1' },
      { payload: 'bad', id: 't2' },
    ]);
    await s.start();
    await clock.advanceUntil(() => outcomes.length === 2, { maxMs: 5_000, what: 'both tasks to settle' });
    expect(seen).toEqual(['span-t1', 'span-t2']);
    expect(runs).toEqual(['start jobs t1 on n1', 'end t1', 'start jobs t2 on n1', 'end t2']);
    expect(outcomes).toEqual(['completed t1 done t1', 'failed t2 boom']);
  });

  it('lockWaited hears every acquisition that could wait: how long it waited by the clock, and how it ended', async () => {
    const clock = new ManualClock();
    const b = backend(clock);
    const waits: LockWait[] = [];
    install({ lockWaited: (w) => waits.push(w) });
    const locks = b.locks();
    const held = await locks.acquire('r', { ttlMs: 10_000 });
    const timedOut = locks.acquire('r', { waitMs: 500 }).catch((e: unknown) => e);
    await clock.advanceUntil(() => waits.length === 2, { maxMs: 1_000, what: 'the second acquisition to give up' });
    expect(await timedOut).toMatchObject({ code: 'LOCK_TIMEOUT' });
    const waiting = locks.acquire('r', { waitMs: 5_000 });
    await clock.advance(300);
    await held.release();
    await (await waiting).release();
    await (await b.semaphores({ limit: 2 }).acquire('s')).release();
    expect(waits).toEqual([
      { kind: 'lock', resource: 'r', waitedMs: 0, outcome: 'acquired' },
      { kind: 'lock', resource: 'r', waitedMs: 500, outcome: 'timeout' },
      { kind: 'lock', resource: 'r', waitedMs: 300, outcome: 'acquired' },
      { kind: 'semaphore', resource: 's', waitedMs: 0, outcome: 'acquired' },
    ]);
  });

  it('a hook that is removed is no longer called, and nothing is instrumented once all are removed', async () => {
    const calls: string[] = [];
    const remove = instrument({ enqueue: async (call, next) => (calls.push(call.queue), next()) });
    const q = backend().queue('jobs');
    await q.enqueue(1);
    remove();
    await q.enqueue(2);
    expect(calls).toEqual(['jobs']);
    expect(isInstrumented()).toBe(false);
  });
});
