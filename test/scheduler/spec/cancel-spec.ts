import { expect, it } from 'vitest';
import { TaskCancelledError, type Task } from '@baton/core';
import { until } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

/** Cancelling a task while a node runs it. */
export function cancelSpec(ctx: SpecContext): void {
  it('a task cancelled from another node has its signal aborted at once with TaskCancelledError, is not recorded and is never retried', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const started: string[] = [];
    let reason: unknown;
    const cancelled: Array<[Task, TaskCancelledError]> = [];
    const recorded: string[] = [];
    s.handle(
      qn,
      async (task, c) => {
        started.push(task.id);
        await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = c.signal.reason;
        return 'finished anyway';
      },
      { queue: { visibilityTimeoutMs: 60_000 * env.scale } },
    );
    s.on('cancelled', (task, why) => cancelled.push([task, why]));
    s.on('completed', (task) => recorded.push(`completed ${task.id}`));
    s.on('failed', (task) => recorded.push(`failed ${task.id}`));
    s.on('lost', (task) => recorded.push(`lost ${task.id}`));
    await s.start();
    const other = env.backend().queue(qn);
    await other.enqueue('work', { id: 'c1' });
    await until(env, () => started.length === 1, 'the task to start');
    const requestedAt = env.clock.now();
    expect(await other.cancel('c1', 'user pressed stop')).toBe('cancelled');
    // Far sooner than the lease extension (half of 60 s): the cancelled event did it.
    await until(env, () => cancelled.length === 1, 'the cancelled event', 5_000, 1);
    expect(env.clock.now() - requestedAt).toBeLessThan(5_000);
    expect(reason).toBeInstanceOf(TaskCancelledError);
    expect(reason).toMatchObject({ code: 'TASK_CANCELLED', taskId: 'c1', reason: 'user pressed stop' });
    expect(cancelled[0]![0].id).toBe('c1');
    expect(cancelled[0]![1]).toBe(reason);
    await env.advance(200);
    expect(recorded).toEqual([]);
    expect(started).toEqual(['c1']);
    expect(await other.outcome('c1')).toEqual({ state: 'cancelled', reason: 'user pressed stop' });
    expect(await other.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
  });

  it('cancelling a task that waits keeps it from ever running', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const ran: string[] = [];
    s.handle(qn, async (task) => {
      ran.push(task.id);
    });
    const q = env.backend().queue(qn);
    await q.enqueueMany([
      { payload: 1, id: 'skip' },
      { payload: 2, id: 'run' },
    ]);
    expect(await q.cancel('skip')).toBe('cancelled');
    await s.start();
    await until(env, () => ran.length === 1, 'the other task to run');
    await env.advance(200);
    expect(ran).toEqual(['run']);
  });
}
