import { expect, it } from 'vitest';
import { LockLostError, TaskTimeoutError, type Task } from '@baton/core';
import { Nodes, until, type SchedulerEnv } from '../scheduler-env.js';

/** How a spec gets its env and nodes; `ctx()` is valid inside a test. */
export type SpecContext = () => { env: SchedulerEnv; nodes: Nodes };

let seq = 0;
/** A queue name unique within the run. */
export function queueName(): string {
  return `q${++seq}`;
}

/** Task-running behaviour: delivery, concurrency, retries, timeouts, lease extension. */
export function taskSpec(ctx: SpecContext): void {
  it('runs every enqueued task once and emits completed for each', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue<number>(qn);
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await q.enqueueMany(ids.map((id, i) => ({ id, payload: i })));
    const ran: string[] = [];
    const completed: string[] = [];
    s.handle<number>(
      qn,
      async (task, c) => {
        expect(c.nodeId).toBe(s.nodeId);
        expect(task.payload).toBe(Number(task.id.slice(1)));
        ran.push(task.id);
        await env.clock.sleep(10);
      },
      { concurrency: 4 },
    );
    s.on('completed', (task) => completed.push(task.id));
    await s.start();
    await until(env, () => completed.length === 20, '20 completions');
    expect([...ran].sort()).toEqual([...ids].sort());
    expect(new Set(completed).size).toBe(20);
    for (const id of ids) expect(await q.isFinished(id)).toBe(true);
    expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
  });

  it('never runs more handlers of a queue at once than its concurrency', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    await s['backend'].queue(qn).enqueueMany(Array.from({ length: 12 }, (_, i) => ({ payload: i })));
    let running = 0;
    let peak = 0;
    let done = 0;
    s.handle(
      qn,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await env.clock.sleep(50);
        running--;
        done++;
      },
      { concurrency: 3 },
    );
    await s.start();
    await until(env, () => done === 12, '12 tasks done');
    expect(peak).toBe(3);
  });

  it('retries a throwing task with backoff and dead-letters it after maxAttempts', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue(qn, { maxAttempts: 3, backoff: { baseMs: 20, maxMs: 40 } });
    await q.enqueue('x', { id: 'doomed' });
    const failed: Array<[number, string]> = [];
    const retrying: number[] = [];
    const dead: Array<{ task: Task; error: unknown }> = [];
    s.handle(
      qn,
      async (task) => {
        throw new Error(`boom ${task.attempt}`);
      },
      { queue: { maxAttempts: 3, backoff: { baseMs: 20, maxMs: 40 } } },
    );
    s.on('failed', (task, _error, info) => failed.push([task.attempt, info.outcome]));
    s.on('retrying', (task) => retrying.push(task.attempt));
    s.on('dead', (task, error) => dead.push({ task, error }));
    await s.start();
    await until(env, () => dead.length === 1, 'the task to die');
    expect(failed).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'dead'],
    ]);
    expect(retrying).toEqual([1, 2]);
    expect((dead[0]!.error as Error).message).toBe('boom 3');
    const letters = await q.deadLetters();
    expect(letters.map((t) => t.id)).toEqual(['doomed']);
    expect(letters[0]!.lastError).toContain('boom 3');
    expect(await q.isFinished('doomed')).toBe(false);
  });

  it('a task that fails once completes on its retry', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    await s['backend'].queue(qn).enqueue('x', { id: 'flaky' });
    const completed: Task[] = [];
    let retries = 0;
    s.handle(
      qn,
      async (task) => {
        if (task.attempt === 1) throw new Error('transient');
        expect(task.lastError).toContain('transient');
      },
      { queue: { backoff: { baseMs: 20, maxMs: 40 } } },
    );
    s.on('retrying', () => retries++);
    s.on('completed', (task) => completed.push(task));
    await s.start();
    await until(env, () => completed.length === 1, 'the retry to complete');
    expect(completed[0]!.attempt).toBe(2);
    expect(retries).toBe(1);
  });

  it('a handler past timeoutMs has its signal aborted with TaskTimeoutError and its attempt failed', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue(qn, { maxAttempts: 1 });
    await q.enqueue('x', { id: 'slow' });
    let startedAt = 0;
    let abortedAt = 0;
    let reason: unknown;
    const failed: unknown[] = [];
    const completed: string[] = [];
    s.handle(
      qn,
      async (_task, c) => {
        startedAt = env.clock.now();
        await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
        abortedAt = env.clock.now();
        reason = c.signal.reason;
        // Resolving after the abort must not complete the task: the timeout already decided.
      },
      { timeoutMs: 100, queue: { maxAttempts: 1 } },
    );
    s.on('failed', (_task, error) => failed.push(error));
    s.on('completed', (task) => completed.push(task.id));
    await s.start();
    await until(env, () => failed.length === 1, 'the timeout failure');
    expect(reason).toBeInstanceOf(TaskTimeoutError);
    expect(failed[0]).toBeInstanceOf(TaskTimeoutError);
    // Node's timers run on a monotonic clock and Date.now() is read apart from it: a real 100 ms
    // timer can read as 99 ms between two Date.now() calls
    expect(abortedAt - startedAt).toBeGreaterThanOrEqual(env.realTime ? 99 : 100);
    if (!env.realTime) expect(abortedAt - startedAt).toBe(100);
    else expect(abortedAt - startedAt).toBeLessThan(1_000);
    expect(completed).toEqual([]);
    expect(await q.isFinished('slow')).toBe(false);
    expect((await q.deadLetters())[0]!.lastError).toContain('TaskTimeoutError');
  });

  it('keeps extending the lease of a handler that runs longer than the visibility timeout', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const options = { queue: { visibilityTimeoutMs: 300 * env.scale } };
    const a = nodes.add();
    const b = nodes.add();
    await a['backend'].queue(qn, options.queue).enqueue('long', { id: 'long' });
    const runs: string[] = [];
    const completed: string[] = [];
    const trouble: unknown[] = [];
    for (const s of [a, b]) {
      s.handle(
        qn,
        async (_task, c) => {
          runs.push(c.nodeId);
          await env.clock.sleep(1_500 * Math.min(env.scale, 2), c.signal); // several visibility timeouts
        },
        options,
      );
      s.on('completed', (task) => completed.push(task.id));
      s.on('lost', (_task, why) => trouble.push(why));
      s.on('stalled', (count) => trouble.push(`stalled ${count}`));
    }
    await Promise.all([a.start(), b.start()]);
    await until(env, () => completed.length === 1, 'the long task to complete');
    await env.advance(500);
    expect(runs).toHaveLength(1);
    expect(trouble).toEqual([]);
    expect(completed).toEqual(['long']);
  });

  it('a lease that runs out under a running handler aborts its signal with LockLostError and records nothing', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue(qn, { visibilityTimeoutMs: 300 });
    await q.enqueue('x', { id: 'shortened' });
    let reason: unknown;
    const lost: Array<[number, unknown]> = [];
    const failed: number[] = [];
    const completed: number[] = [];
    s.handle(
      qn,
      async (task, c) => {
        if (task.attempt > 1) return;
        // Shorten our own lease to 1 ms: it runs out before the keeper can renew it.
        expect(await c.extend(1)).toBe(true);
        await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = c.signal.reason;
      },
      { queue: { visibilityTimeoutMs: 300 } },
    );
    s.on('lost', (task, why) => lost.push([task.attempt, why]));
    s.on('failed', (task) => failed.push(task.attempt));
    s.on('completed', (task) => completed.push(task.attempt));
    await s.start();
    await until(env, () => completed.length === 1, 'the recovered task to complete');
    expect(reason).toBeInstanceOf(LockLostError);
    expect(lost).toHaveLength(1);
    expect(lost[0]![0]).toBe(1);
    expect(lost[0]![1]).toBeInstanceOf(LockLostError);
    expect(failed).toEqual([]);
    expect(completed).toEqual([2]);
  });
}
