import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LockNotReplicatedError, ManualClock } from '@baton/core';
import { MemoryBackend } from '@baton/memory-adapter';
import { eventually } from '../../../test/setup/eventually.js';
import { currentMaster, startRedisSentinel, type RedisSentinelHandle } from '../../../test/setup/redis-sentinel.js';
import { RedisBackend } from '../src/index.js';
import { sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';

describe.skipIf(!available)(`Redis Sentinel: 1 master, 1 replica, 3 sentinels${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  let setup: RedisSentinelHandle | undefined;
  const backends: RedisBackend[] = [];

  beforeAll(async () => {
    setup = await startRedisSentinel(1_000);
  }, 60_000);
  afterAll(async () => {
    setup?.replica.process.kill('SIGCONT');
    await Promise.allSettled(backends.map((b) => b.close()));
    await setup?.stop();
  });

  function backend(prefix: string): RedisBackend {
    const b = new RedisBackend({ sentinels: setup!.sentinels, name: setup!.name, prefix });
    backends.push(b);
    return b;
  }

  it('waitReplicas: a lock the replica acknowledged is held; with the replica stopped, acquire fails within waitTimeoutMs and leaves it free', async () => {
    const prefix = uniquePrefix('wait-replicas');
    const [a, b] = [backend(prefix).locks(), backend(prefix).locks()];
    const held = await a.acquire('job', { waitReplicas: 1, waitTimeoutMs: 2_000 });
    expect(held.fence).toBe(1);
    expect(await held.release()).toBe(true);
    setup!.replica.process.kill('SIGSTOP');
    try {
      const started = Date.now();
      const error = await a.acquire('job', { waitReplicas: 1, waitTimeoutMs: 300 }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(LockNotReplicatedError);
      expect((error as LockNotReplicatedError).acknowledged).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_000);
      // released, not left held: another client takes it at once
      const other = await b.tryAcquire('job');
      expect(other).not.toBeNull();
      await other!.release();
    } finally {
      setup!.replica.process.kill('SIGCONT');
    }
  });

  it('after the master is SIGKILLed, workers and lock waiters carry on against the promoted replica without a restart', async () => {
    const prefix = uniquePrefix('failover');
    const producer = backend(prefix).queue<number>('jobs');
    const workers = [backend(prefix).queue<number>('jobs'), backend(prefix).queue<number>('jobs')];
    const lockers = [backend(prefix).locks(), backend(prefix).locks()];
    const acked = new Set<string>();
    const ackedAfterPromotion = new Set<string>();
    const completed = new Map<string, number>();
    let promoted = false;
    let stopping = false;
    let inside = 0;
    let overlaps = 0;
    let locksAfterPromotion = 0;
    let errors = 0;

    const produce = (async () => {
      for (let i = 0; !stopping; i++) {
        const id = `t-${i}`;
        try {
          const wasPromoted = promoted;
          await producer.enqueue(i, { id });
          acked.add(id);
          if (wasPromoted) ackedAfterPromotion.add(id);
        } catch {
          errors++;
        }
        await sleep(5);
      }
    })();
    const work = workers.map(async (q) => {
      while (!stopping) {
        try {
          for (const lease of await q.dequeueMany(10, { waitMs: 200 })) {
            if (await q.complete(lease)) completed.set(lease.id, (completed.get(lease.id) ?? 0) + 1);
          }
        } catch {
          errors++;
          await sleep(50);
        }
      }
    });
    const lock = lockers.map(async (locks) => {
      while (!stopping) {
        try {
          await locks.withLock(
            'shared',
            async () => {
              inside++;
              if (inside > 1) overlaps++;
              await sleep(5);
              inside--;
              if (promoted) locksAfterPromotion++;
            },
            { ttlMs: 2_000, waitMs: 10_000 },
          );
        } catch {
          errors++;
          await sleep(50);
        }
      }
    });

    await sleep(400);
    const ackedBeforeKill = acked.size;
    const killedAt = Date.now();
    setup!.master.process.kill('SIGKILL');
    const replicaAddress = `127.0.0.1:${setup!.replica.port}`;
    await eventually(async () => (await currentMaster(setup!.sentinels[0]!.port, setup!.name)) === replicaAddress, {
      what: 'the sentinels to promote the replica',
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    promoted = true;
    const promotedAfterMs = Date.now() - killedAt;
    // run on the promoted replica for a while, then let the workers drain what is left
    await eventually(() => ackedAfterPromotion.size >= 50 && locksAfterPromotion >= 10, {
      what: '50 enqueues and 10 locks on the promoted replica',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    stopping = true;
    await produce;
    stopping = false;
    // Enqueues the dead master acknowledged but never replicated cannot complete: the wait is for
    // the promoted master's queue to drain, and what never completes is counted as lost below.
    await eventually(
      async () => {
        if ([...ackedAfterPromotion].some((id) => !completed.has(id))) return false;
        const { waiting, active } = await producer.stats();
        return waiting === 0 && active === 0;
      },
      { what: 'the workers to drain the promoted master', timeoutMs: 5_000, intervalMs: 50 },
    );
    stopping = true;
    await Promise.all([...work, ...lock]);

    const lost = [...acked].filter((id) => !completed.has(id));
    const duplicates = [...completed.values()].filter((n) => n > 1).length;
    console.log(
      `sentinel failover: promoted ${promotedAfterMs} ms after SIGKILL; ${acked.size} enqueues acknowledged (${ackedBeforeKill} before the kill), ` +
        `${lost.length} lost (${lost.join(', ') || 'none'}), ${duplicates} completed twice, ${overlaps} lock overlaps, ` +
        `${locksAfterPromotion} locks taken after promotion, ${errors} calls failed during the failover`,
    );
    // everything enqueued against the promoted replica is delivered; losses are bounded by the
    // writes the dead master had not yet replicated
    expect([...ackedAfterPromotion].filter((id) => !completed.has(id))).toEqual([]);
    expect(lost.length).toBeLessThanOrEqual(5);
    expect(locksAfterPromotion).toBeGreaterThanOrEqual(10);
    expect(await producer.stats()).toMatchObject({ waiting: 0, active: 0 });
  }, 45_000);
});

describe('waitReplicas on the memory backend', () => {
  it('is accepted and ignored (no replicas to wait for)', async () => {
    const backend = new MemoryBackend({ clock: new ManualClock() });
    const held = await backend.locks().acquire('job', { waitReplicas: 2, waitTimeoutMs: 10 });
    expect(held.fence).toBe(1);
    expect(await held.release()).toBe(true);
    await backend.close();
  });
});
