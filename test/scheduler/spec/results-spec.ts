import { expect, it } from 'vitest';
import { SerializationError, type QueueEvent, type Task } from '@baton/core';
import { until } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

/** Handler results become task results; ctx.progress reaches the queue's watchers. */
export function resultsSpec(ctx: SpecContext): void {
  it("a handler's return value is the task's result: completed carries it, result and waitFor read it", async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue<number>(qn);
    const completed: Array<[string, unknown]> = [];
    s.handle<number>(qn, async (task) => (task.id === 'none' ? undefined : { doubled: task.payload * 2 }));
    s.on('completed', (task, info) => completed.push([task.id, 'result' in info ? info.result : '-']));
    await s.start();
    const outcome = q.enqueueAndWait<{ doubled: number }>(21, { id: 'x', timeoutMs: 10_000 });
    await until(env, () => completed.length === 1, 'the first completion');
    expect(await outcome).toEqual({ state: 'finished', result: { doubled: 42 } });
    expect(await q.result('x')).toEqual({ doubled: 42 });
    await q.enqueue(1, { id: 'none' });
    await until(env, () => completed.length === 2, 'the second completion');
    expect(completed).toEqual([
      ['x', { doubled: 42 }],
      ['none', '-'],
    ]);
    expect(await q.outcome('none')).toEqual({ state: 'finished', result: undefined });
  });

  it('a result JSON cannot carry fails the attempt with SerializationError, retried like a throw', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const q = s['backend'].queue(qn, { maxAttempts: 2 });
    const failed: Array<[number, unknown]> = [];
    const dead: Task[] = [];
    s.handle(qn, async () => new Map([[1, 2]]), { queue: { maxAttempts: 2, backoff: { baseMs: 20, maxMs: 20 } } });
    s.on('failed', (task, error) => failed.push([task.attempt, error]));
    s.on('dead', (task) => dead.push(task));
    await q.enqueue('x', { id: 'bad-result' });
    await s.start();
    await until(env, () => dead.length === 1, 'the task to die');
    expect(failed.map(([attempt]) => attempt)).toEqual([1, 2]);
    expect(failed[0]![1]).toBeInstanceOf(SerializationError);
    expect(await q.isFinished('bad-result')).toBe(false);
    expect((await q.outcome('bad-result'))?.state).toBe('dead');
  });

  it('ctx.progress reaches watchers on other nodes, and is refused once the attempt is over', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add();
    const watcher = env.backend().queue(qn);
    const events: QueueEvent[] = [];
    const stop = watcher.watch((e) => events.push(e), { types: ['progress', 'completed'] });
    await stop.ready;
    let progressCall: ((value: unknown) => Promise<boolean>) | undefined;
    s.handle(qn, async (_task, c) => {
      expect(await c.progress({ done: 1, of: 2 })).toBe(true);
      expect(await c.progress({ done: 2, of: 2 })).toBe(true);
      progressCall = c.progress;
    });
    await s.start();
    await s['backend'].queue(qn).enqueue('x', { id: 'p' });
    await until(env, () => events.some((e) => e.type === 'completed'), 'the completion event');
    expect(await progressCall!('too late')).toBe(false);
    stop();
    expect(events.map((e) => (e.type === 'progress' ? e.progress : e.type))).toEqual([{ done: 1, of: 2 }, { done: 2, of: 2 }, 'completed']);
  });
}
