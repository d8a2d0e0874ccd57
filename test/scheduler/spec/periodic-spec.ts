import { expect, it } from 'vitest';
import type { Scheduler } from '@baton/core';
import { until } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

interface Run {
  tick: number;
  nodeId: string;
  scheduledAt: number;
  at: number;
}

/** Periodic jobs: once per tick across nodes, and on after a node dies mid-tick. */
export function periodicSpec(ctx: SpecContext): void {
  it('every() runs a job once per tick across three nodes', async () => {
    const { env, nodes } = ctx();
    const job = `job-${queueName()}`;
    const runs: Run[] = [];
    const schedulers: Scheduler[] = [];
    for (let i = 0; i < 3; i++) {
      const s = nodes.add();
      s.every(job, 200, async ({ tick, nodeId, scheduledAt }) => {
        runs.push({ tick, nodeId, scheduledAt, at: env.clock.now() });
        await env.clock.sleep(20);
      });
      schedulers.push(s);
    }
    await Promise.all(schedulers.map((s) => s.start()));
    await until(env, () => new Set(runs.map((r) => r.tick)).size >= 10, '10 ticks');
    const ticks = runs.map((r) => r.tick);
    expect(new Set(ticks).size).toBe(ticks.length); // no tick ran twice
    const sorted = [...ticks].sort((x, y) => x - y);
    expect(sorted.at(-1)! - sorted[0]! + 1).toBe(sorted.length); // no tick skipped
    for (const run of runs) {
      expect(run.scheduledAt).toBe(run.tick * 200);
      expect(run.at).toBeGreaterThanOrEqual(run.scheduledAt);
      if (!env.realTime) expect(run.at).toBe(run.scheduledAt);
    }
  });

  it('a cron schedule runs each fire time once across three nodes, its tick being the fire time', async () => {
    const { env, nodes } = ctx();
    const job = `cron-${queueName()}`;
    const runs: Run[] = [];
    const schedulers: Scheduler[] = [];
    for (let i = 0; i < 3; i++) {
      const s = nodes.add();
      s.every(job, '* * * * * *', async ({ tick, nodeId, scheduledAt }) => void runs.push({ tick, nodeId, scheduledAt, at: env.clock.now() }), {
        tz: 'Europe/Paris',
      });
      schedulers.push(s);
    }
    await Promise.all(schedulers.map((s) => s.start()));
    await until(env, () => runs.length >= 3, 'three fire times', 10_000, env.realTime ? 50 : 100);
    const fires = runs.map((r) => r.scheduledAt);
    expect(new Set(fires).size).toBe(fires.length); // no fire time ran twice
    for (let i = 1; i < fires.length; i++) expect(fires[i]! - fires[i - 1]!).toBe(1_000); // none skipped
    for (const run of runs) {
      expect(run.tick).toBe(run.scheduledAt);
      expect(run.scheduledAt % 1_000).toBe(0);
      expect(run.at).toBeGreaterThanOrEqual(run.scheduledAt);
      if (!env.realTime) expect(run.at).toBe(run.scheduledAt);
    }
  });

  it('the schedule goes on when the node running a tick dies, and that tick is run again elsewhere', async () => {
    const { env, nodes } = ctx();
    const job = `job-${queueName()}`;
    const runs: Run[] = [];
    const backends = [env.backend(), env.backend(), env.backend()];
    let victim: { tick: number; nodeId: string } | undefined;
    let armed = false;
    const schedulers = backends.map((backend, i) => {
      const s = nodes.add({ nodeId: `n${i}-${job}` }, backend);
      s.every(
        job,
        200,
        async ({ tick, nodeId, scheduledAt }) => {
          runs.push({ tick, nodeId, scheduledAt, at: env.clock.now() });
          if (armed && !victim) {
            victim = { tick, nodeId };
            await new Promise(() => undefined); // hangs until its node dies
          }
          await env.clock.sleep(20);
        },
        { visibilityTimeoutMs: 300 },
      );
      return s;
    });
    await Promise.all(schedulers.map((s) => s.start()));
    await until(env, () => runs.length >= 3, 'three ticks');
    armed = true;
    await until(env, () => victim !== undefined, 'a tick to hang');
    const dead = victim!;
    await backends[schedulers.findIndex((s) => s.nodeId === dead.nodeId)]!.close();
    await until(env, () => runs.some((r) => r.tick === dead.tick && r.nodeId !== dead.nodeId), 'the hung tick to run again elsewhere', 5_000);
    await until(env, () => runs.some((r) => r.tick >= dead.tick + 5), 'five more ticks', 5_000);
    const byTick = new Map<number, Run[]>();
    for (const run of runs) byTick.set(run.tick, [...(byTick.get(run.tick) ?? []), run]);
    const first = Math.min(...byTick.keys());
    const last = Math.max(...byTick.keys());
    for (let tick = first; tick <= last; tick++) {
      const those = byTick.get(tick) ?? [];
      if (tick === dead.tick) {
        expect(those).toHaveLength(2);
        expect(those[1]!.nodeId).not.toBe(dead.nodeId);
      } else {
        expect(those, `tick ${tick}`).toHaveLength(1);
      }
    }
    // After the death, only live nodes run ticks.
    expect(runs.filter((r) => r.tick > dead.tick).every((r) => r.nodeId !== dead.nodeId)).toBe(true);
  });
}
