import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError, LockLostError, type Task } from '@baton/core';
import { testCluster, type TestCluster } from '../src/testing/index.js';

describe('testCluster', () => {
  const clusters: TestCluster[] = [];
  afterEach(async () => {
    for (const c of clusters.splice(0)) await c.close();
  });
  const make = (...args: Parameters<typeof testCluster>): TestCluster => {
    const c = testCluster(...args);
    clusters.push(c);
    return c;
  };

  it('runs N schedulers on one store and one clock; close stops them and leaves no timer behind', async () => {
    const ran: string[] = [];
    const cluster = make({
      nodes: 3,
      setup: (node) => node.scheduler.handle<number>('jobs', async (task) => void ran.push(`${task.payload}@${node.id}`), { concurrency: 2 }),
    });
    expect(cluster.nodes.map((n) => n.id)).toEqual(['node-1', 'node-2', 'node-3']);
    await cluster.start();
    await cluster.queue<number>('jobs').enqueueMany(Array.from({ length: 12 }, (_, i) => ({ payload: i })));
    await cluster.advanceUntil(() => ran.length === 12, { what: '12 tasks to run' });
    expect(new Set(ran.map((r) => r.split('@')[0])).size).toBe(12);
    expect((await cluster.nodes[0]!.scheduler.nodes()).map((n) => n.id)).toEqual(['node-1', 'node-2', 'node-3']);
    const before = cluster.clock.now();
    await cluster.close();
    // idle nodes stop without the clock moving, and nothing is left scheduled
    expect(cluster.clock.now()).toBe(before);
    expect(cluster.clock.pendingTimers()).toBe(0);
    expect(cluster.live()).toEqual([]);
    await expect(cluster.addNode()).rejects.toBeInstanceOf(ClosedError);
  });

  it('crash ends a node as SIGKILL would: its task comes back to another node after the lease, and it leaves the registry after its TTL', async () => {
    let victimSignal: AbortSignal | undefined;
    const completed: Array<{ task: Task; node: string }> = [];
    const cluster = make({
      nodes: 2,
      scheduler: { nodeTtlMs: 10_000, recoverStalledIntervalMs: 1_000 },
      setup: (node) => {
        node.scheduler.handle(
          'work',
          async (_task, ctx) => {
            if (node.id === 'node-1') {
              victimSignal = ctx.signal;
              await new Promise(() => undefined); // busy until the node dies
            }
          },
          { queue: { visibilityTimeoutMs: 30_000 } },
        );
        node.scheduler.on('completed', (task) => completed.push({ task, node: node.id }));
      },
    });
    // only node-1 runs at first, so it takes the task
    await cluster.nodes[0]!.scheduler.start();
    await cluster.queue('work', { visibilityTimeoutMs: 30_000 }).enqueue('report', { id: 'report' });
    await cluster.advanceUntil(() => victimSignal !== undefined, { what: 'node-1 to start the task' });
    await cluster.start();
    const crashedAt = cluster.clock.now();
    await cluster.crash(cluster.node('node-1'));
    expect(victimSignal!.aborted).toBe(true);
    expect(cluster.live().map((n) => n.id)).toEqual(['node-2']);
    // not deregistered: still listed until its heartbeats are missed for a whole TTL
    expect((await cluster.node('node-2').scheduler.nodes()).map((n) => n.id)).toContain('node-1');
    await cluster.advanceUntil(() => completed.length === 1, { maxMs: 60_000, what: 'the task to come back on node-2' });
    expect(completed[0]).toMatchObject({ node: 'node-2', task: { id: 'report', attempt: 2 } });
    expect(cluster.clock.now() - crashedAt).toBeGreaterThanOrEqual(29_000); // the lease had to run out
    await cluster.advanceUntil(async () => !(await cluster.node('node-2').scheduler.nodes()).some((n) => n.id === 'node-1'), {
      maxMs: 20_000,
      what: 'node-1 to leave the registry',
    });
  });

  it("a crashed leader's term ends by its TTL and another node leads with a higher fence; restart brings the node back", async () => {
    const cluster = make({ nodes: 2, scheduler: { electionTtlMs: 5_000 } });
    await cluster.start();
    const elections = cluster.nodes.map((n) => n.scheduler.elect('reports'));
    await cluster.advanceUntil(() => elections.some((e) => e.isLeader), { what: 'a leader' });
    const i = elections.findIndex((e) => e.isLeader);
    const fence = elections[i]!.fence!;
    const lost = elections[i]!.signal;
    await cluster.crash(cluster.nodes[i]!);
    expect(lost.aborted).toBe(true);
    expect(lost.reason).toBeInstanceOf(LockLostError);
    await cluster.advanceUntil(() => elections[1 - i]!.isLeader, { maxMs: 10_000, what: 'the other node to lead' });
    expect(elections[1 - i]!.fence!).toBeGreaterThan(fence);
    const back = await cluster.restart(cluster.nodes[i]!);
    expect(back.id).toBe(cluster.nodes[i]!.id);
    expect(back.down).toBe(false);
    expect(
      cluster
        .live()
        .map((n) => n.id)
        .sort(),
    ).toEqual(['node-1', 'node-2']);
    await cluster.advanceUntil(async () => (await back.scheduler.nodes()).length === 2, { what: 'the restarted node to register' });
  });

  it('close lets a task in flight finish on the clock, then stops', async () => {
    let finished = false;
    const cluster = make({
      nodes: 1,
      setup: (node) =>
        node.scheduler.handle('slow', async () => {
          await cluster.clock.sleep(4_000);
          finished = true;
        }),
    });
    await cluster.start();
    await cluster.queue('slow').enqueue('x');
    await cluster.advance(10);
    await cluster.close();
    expect(finished).toBe(true);
    expect(() => cluster.client.queue('slow')).toThrow(ClosedError);
  });

  it('refuses bad options with InvalidArgumentError', () => {
    expect(() => testCluster({ nodes: -1 })).toThrow(InvalidArgumentError);
    expect(() => testCluster({ nodes: 1.5 })).toThrow(/options\.nodes/);
    expect(() => testCluster({ setup: 'no' as never })).toThrow(/options\.setup/);
    const cluster = make({ nodes: [{ nodeId: 'a' }, { nodeId: 'b', group: 'other' }] });
    expect(cluster.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(() => cluster.node('c')).toThrow(InvalidArgumentError);
  });
});
