import { expect, it } from 'vitest';
import { ClosedError, type Task } from '@baton/core';
import { settle, until } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

/** Node lifecycle: registration, a node that dies, graceful stop. */
export function lifecycleSpec(ctx: SpecContext): void {
  it('start registers the node with its queues and concurrency; stop deregisters it', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const a = nodes.add({ nodeId: `a-${qn}`, group: `g-${qn}`, meta: { zone: 'x' } });
    const b = nodes.add({ nodeId: `b-${qn}`, group: `g-${qn}` });
    a.handle(qn, async () => undefined, { concurrency: 5 });
    b.handle(qn, async () => undefined);
    await Promise.all([a.start(), b.start()]);
    const listed = await a.nodes();
    expect(listed.map((n) => n.id)).toEqual([`a-${qn}`, `b-${qn}`]);
    expect(listed[0]!.meta).toMatchObject({ queues: qn, concurrency: 5, zone: 'x', pid: process.pid });
    await settle(env, b.stop());
    expect((await a.nodes()).map((n) => n.id)).toEqual([`a-${qn}`]);
  });

  it('a task whose node died comes back after its visibility timeout and runs on another node', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const group = `g-${qn}`;
    const deadBackend = env.backend();
    const a = nodes.add({ nodeId: `dead-${qn}`, group }, deadBackend);
    const b = nodes.add({ nodeId: `alive-${qn}`, group });
    const queue = { visibilityTimeoutMs: 300 };
    await deadBackend.queue(qn, queue).enqueue('work', { id: 'orphan' });
    let startedOnA = false;
    a.handle(
      qn,
      async () => {
        startedOnA = true;
        await new Promise(() => undefined);
      },
      { queue },
    );
    await a.start();
    await until(env, () => startedOnA, 'A to start the task');
    await deadBackend.close(); // A dies: no more acks, heartbeats or extensions.
    const diedAt = env.clock.now();
    const completed: Task[] = [];
    let stalled = 0;
    b.handle(qn, async () => undefined, { queue });
    b.on('completed', (task) => completed.push(task));
    b.on('stalled', (count) => (stalled += count));
    await b.start();
    await until(env, () => completed.length === 1, 'B to run the orphaned task');
    expect(completed[0]!.id).toBe('orphan');
    expect(completed[0]!.attempt).toBe(2);
    expect(stalled).toBe(1);
    expect(env.clock.now() - diedAt).toBeGreaterThanOrEqual(200);
    // The dead node stops heartbeating and leaves the registry after its TTL.
    await until(env, async () => (await b.nodes()).every((n) => n.id !== `dead-${qn}`), 'the dead node to leave', 5_000, 50);
  });

  it('stop waits for running tasks to finish, then deregisters', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const s = nodes.add({ group: `g-${qn}` });
    await s['backend'].queue(qn).enqueueMany([{ payload: 1 }, { payload: 2 }]);
    let started = 0;
    const completed: number[] = [];
    const failed: unknown[] = [];
    s.handle<number>(
      qn,
      async (task) => {
        started++;
        await env.clock.sleep(300);
        completed.push(task.payload);
      },
      { concurrency: 2 },
    );
    s.on('failed', (_t, e) => failed.push(e));
    await s.start();
    await until(env, () => started === 2, 'both tasks to start');
    await settle(env, s.stop({ timeoutMs: 5_000 }));
    expect(completed.sort()).toEqual([1, 2]);
    expect(failed).toEqual([]);
    expect(await s['backend'].queue(qn).stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    expect((await s.nodes()).map((n) => n.id)).not.toContain(s.nodeId);
    expect(() => s.handle('other', async () => undefined)).toThrow(ClosedError);
    await expect(s.start()).rejects.toBeInstanceOf(ClosedError);
  });

  it('stop aborts tasks still running at timeoutMs and hands their leases back for a prompt re-run', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const queue = { visibilityTimeoutMs: 10_000 };
    const a = nodes.add();
    const b = nodes.add();
    await a['backend'].queue(qn, queue).enqueue('x', { id: 'interrupted' });
    let reason: unknown;
    let started = false;
    a.handle(
      qn,
      async (_task, c) => {
        started = true;
        await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = c.signal.reason;
      },
      { queue },
    );
    await a.start();
    await until(env, () => started, 'the task to start');
    const stopAt = env.clock.now();
    await settle(env, a.stop({ timeoutMs: 100 }));
    expect(env.clock.now() - stopAt).toBeGreaterThanOrEqual(100);
    expect(reason).toBeInstanceOf(ClosedError);
    const completed: Task[] = [];
    b.handle(qn, async () => undefined, { queue });
    b.on('completed', (task) => completed.push(task));
    await b.start();
    await until(env, () => completed.length === 1, 'the handed-back task to run on B', 3_000);
    expect(completed[0]!.attempt).toBe(2);
    // Far sooner than the 10 s lease: the lease was handed back, not left to expire.
    expect(env.clock.now() - stopAt).toBeLessThan(3_000);
  });
}
