import { expect, it } from 'vitest';
import { elect, silentLogger } from '@baton/core';
import { settle, until, watchDequeues, type DequeueLog } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

/** stop() cuts every wait short instead of letting a timer run out. */
export function stopSpec(ctx: SpecContext): void {
  it('an idle scheduler with a 60 s idle wait stops without that wait running out (no clock advance on memory)', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const log: DequeueLog = { started: 0, ended: [] };
    const s = nodes.add({ idleWaitMs: 60_000, group: `g-${qn}` }, watchDequeues(env.backend(), log));
    s.handle(qn, async () => undefined, { concurrency: 3 });
    let ticks = 0;
    s.every(`job-${qn}`, 3_600_000, async () => void ticks++);
    // another node leads, so this one's campaign waits for the lock (up to its 60 s TTL)
    const leader = elect(env.backend().locks(), `e-${qn}`, { ttlMs: 60_000, clock: env.clock, logger: silentLogger });
    await until(env, () => leader.isLeader, 'the other node to lead');
    const election = s.elect(`e-${qn}`, { ttlMs: 60_000 });
    await s.start();
    // the handler's workers and the job's worker (after its first tick) are all blocked waiting
    await until(env, () => ticks === 1 && log.started - log.ended.length === 2, 'both worker loops to wait for work');
    const before = env.clock.now();
    // On memory the clock does not move from here: a wait that needs a timer would never end.
    // On Redis the waits are 60 s, three times the test's own time limit.
    await s.stop();
    if (!env.realTime) expect(env.clock.now()).toBe(before);
    expect(log.ended).toHaveLength(log.started);
    // both waits that were under way ended because stop aborted them, not because they ran out
    expect(log.ended.slice(-2).sort((a, b) => a.queue.localeCompare(b.queue))).toEqual([
      { queue: `_baton:every:job-${qn}`, aborted: true, leases: 0 },
      { queue: qn, aborted: true, leases: 0 },
    ]);
    expect(election.isLeader).toBe(false);
    expect((await s.nodes()).map((n) => n.id)).not.toContain(s.nodeId);
    await leader.resign();
  });

  it('stop cuts the idle wait of a free slot but lets the running task finish within timeoutMs', async () => {
    const { env, nodes } = ctx();
    const qn = queueName();
    const log: DequeueLog = { started: 0, ended: [] };
    const backend = watchDequeues(env.backend(), log);
    const s = nodes.add({ idleWaitMs: 60_000 }, backend);
    let started = false;
    const completed: string[] = [];
    s.handle(
      qn,
      async (task, c) => {
        started = true;
        await env.clock.sleep(300, c.signal);
        completed.push(task.id);
      },
      { concurrency: 2 },
    );
    await backend.queue(qn).enqueue('x', { id: 'running' });
    await s.start();
    // one slot runs the task, the other waits for work
    await until(env, () => started && log.started === 2, 'the task to run and the free slot to wait');
    await settle(env, s.stop({ timeoutMs: 5_000 }));
    expect(completed).toEqual(['running']);
    const waits = log.ended.filter((e) => e.leases === 0);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits.every((e) => e.aborted)).toBe(true);
  });
}
