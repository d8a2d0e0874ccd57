import { expect, it } from 'vitest';
import { ClosedError, elect, LockLostError, silentLogger, type Election } from '@baton/core';
import { settle, until } from '../scheduler-env.js';
import { queueName, type SpecContext } from './task-spec.js';

/** Leader election on the backend's locks. */
export function electionSpec(ctx: SpecContext): void {
  it('exactly one of several contenders leads, and keeps leading while it renews', async () => {
    const { env } = ctx();
    const name = `e-${queueName()}`;
    const elections = [0, 1, 2].map(() => elect(env.backend().locks(), name, { ttlMs: 300 * env.scale, clock: env.clock, logger: silentLogger }));
    try {
      await until(env, () => elections.some((e) => e.isLeader), 'a leader');
      const leader = elections.find((e) => e.isLeader)!;
      const fence = leader.fence;
      expect(fence).toBeGreaterThan(0);
      for (let i = 0; i < 40; i++) {
        await env.advance(25 * env.scale);
        expect(elections.filter((e) => e.isLeader)).toEqual([leader]); // several TTLs
      }
      expect(leader.fence).toBe(fence);
      expect(leader.signal.aborted).toBe(false);
      for (const e of elections) if (e !== leader) expect(e.signal.aborted).toBe(true);
    } finally {
      await Promise.all(elections.map((e) => e.resign()));
    }
  });

  it('when the leader loses its lock its signal fires no later than the lock expires, then another leads with a higher fence', async () => {
    const { env } = ctx();
    const name = `e-${queueName()}`;
    const backends = [env.backend(), env.backend()];
    const elections = backends.map((b) => elect(b.locks(), name, { ttlMs: 300, clock: env.clock, logger: silentLogger }));
    try {
      await until(env, () => elections.some((e) => e.isLeader), 'a leader');
      const i = elections.findIndex((e) => e.isLeader);
      const old = elections[i]!;
      const other = elections[1 - i]!;
      const oldFence = old.fence!;
      const oldSignal = old.signal;
      let lostAt = 0;
      oldSignal.addEventListener('abort', () => (lostAt = env.clock.now()), { once: true });
      const elected = other.whenLeader().then((signal) => ({ at: env.clock.now(), signal, fence: other.fence, oldLeads: old.isLeader }));
      // The leader's backend goes away: its renewals fail from now on.
      await backends[i]!.close();
      const next = await settle(env, elected, 5_000);
      expect(oldSignal.aborted).toBe(true);
      expect(oldSignal.reason).toBeInstanceOf(LockLostError);
      expect(lostAt).toBeGreaterThan(0);
      expect(lostAt).toBeLessThanOrEqual(next.at);
      expect(next.oldLeads).toBe(false);
      expect(next.fence!).toBeGreaterThan(oldFence);
      expect(next.signal.aborted).toBe(false);
    } finally {
      await Promise.all(elections.map((e) => e.resign()));
    }
  });

  it('resign hands leadership over at once, and a resigned election refuses whenLeader', async () => {
    const { env } = ctx();
    const name = `e-${queueName()}`;
    const elections: Election[] = [0, 1].map(() => elect(env.backend().locks(), name, { ttlMs: 20_000, clock: env.clock, logger: silentLogger }));
    try {
      await until(env, () => elections.some((e) => e.isLeader), 'a leader');
      const leader = elections.find((e) => e.isLeader)!;
      const other = elections.find((e) => e !== leader)!;
      const signal = leader.signal;
      const resignedAt = env.clock.now();
      await leader.resign();
      expect(signal.aborted).toBe(true);
      expect(leader.isLeader).toBe(false);
      await until(env, () => other.isLeader, 'the other to lead', 5_000);
      expect(env.clock.now() - resignedAt).toBeLessThan(5_000); // not after the 20 s TTL
      await expect(leader.whenLeader()).rejects.toBeInstanceOf(ClosedError);
    } finally {
      await Promise.all(elections.map((e) => e.resign()));
    }
  });

  it('a contender that resigns while it waits for the lock stops waiting at once and never takes it afterwards', async () => {
    const { env } = ctx();
    const name = `e-${queueName()}`;
    const options = { ttlMs: 60_000, clock: env.clock, logger: silentLogger };
    const leader = elect(env.backend().locks(), name, options);
    await until(env, () => leader.isLeader, 'a leader');
    const contender = elect(env.backend().locks(), name, options);
    await env.advance(50); // in line for the lock, for up to its 60 s TTL
    await contender.resign(); // no time passes here: the wait is cut, not run out
    const fence = leader.fence!;
    await leader.resign();
    // The next holder's fence shows that nobody took the lock in between.
    const next = await env.backend().locks().acquire(`election:${name}`, { ttlMs: 1_000, waitMs: 1_000 });
    expect(next.fence).toBe(fence + 1);
    await next.release();
  });

  it('scheduler.elect campaigns on the scheduler backend and resigns when the scheduler stops', async () => {
    const { env, nodes } = ctx();
    const name = `e-${queueName()}`;
    const a = nodes.add({ electionTtlMs: 300 });
    const b = nodes.add({ electionTtlMs: 300 });
    const ea = a.elect(name);
    await until(env, () => ea.isLeader, 'A to lead');
    const eb = b.elect(name);
    await env.advance(100);
    expect(eb.isLeader).toBe(false);
    await settle(env, a.stop());
    expect(ea.isLeader).toBe(false);
    await until(env, () => eb.isLeader, 'B to lead', 2_000);
  });
}
