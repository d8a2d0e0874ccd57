// Fault family 2: redis-server restarted mid-run, once with SIGTERM and once with SIGKILL, with
// appendonly yes and appendfsync always. Producers, two scheduler nodes, three lock contenders,
// a registered node and a registry watcher run in this process throughout and are never
// restarted; they must resume by themselves, and no acknowledged enqueue may be lost.
import { Scheduler, silentLogger, SystemClock, isBatonError, type RegistryEvent } from '@baton/core';
import { RedisBackend } from '@baton/redis-adapter';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { DurableRedis } from './support/durable-redis.js';
import { LockTraffic } from './support/lock-traffic.js';
import { recordFigures } from './support/results.js';
import { scaled } from './support/scale.js';

const available = inject('redisUrl') !== '';
const PHASE_MS = scaled(1_500, 5_000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: DurableRedis | undefined;
const backends: RedisBackend[] = [];
const schedulers: Scheduler[] = [];

afterAll(async () => {
  await Promise.allSettled(schedulers.map((s) => s.stop({ timeoutMs: 0 })));
  await Promise.allSettled(backends.map((b) => b.close()));
  await server?.stop();
});

describe.skipIf(!available)(`redis restarts${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('workers, lock waiters, heartbeats and watchers resume after SIGTERM and SIGKILL restarts; no acknowledged enqueue is lost', async () => {
    server = await DurableRedis.start({ durable: true });
    const clock = new SystemClock();
    const backend = (): RedisBackend => {
      const b = new RedisBackend({ url: server!.url, prefix: 'restart', clock, logger: silentLogger });
      backends.push(b);
      return b;
    };
    const executed = new Map<string, number>();
    const completedAt: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = new Scheduler(backend(), clock, silentLogger, {
        nodeId: `node-${i}`,
        idleWaitMs: 200,
        recoverStalledIntervalMs: 250,
        nodeTtlMs: 1_500,
        errorBackoffMs: 100,
      });
      s.handle<number>(
        'jobs',
        async (task) => {
          executed.set(task.id, (executed.get(task.id) ?? 0) + 1);
          await sleep(2);
        },
        { concurrency: 4, queue: { visibilityTimeoutMs: 1_500 } },
      );
      s.on('completed', () => completedAt.push(Date.now()));
      schedulers.push(s);
      await s.start();
    }
    const locks = new LockTraffic([backend().locks(), backend().locks(), backend().locks()], 'res', { ttlMs: 1_000, waitMs: 20_000, holdMs: 5 });
    const registration = await backend().registry('nodes').register({ id: 'survivor' }, { ttlMs: 1_000 });
    const watcher = backend().registry('nodes');
    const events: Array<RegistryEvent & { at: number }> = [];
    const unwatch = watcher.watch((e) => events.push({ ...e, at: Date.now() }));

    // producers: acknowledged ids are the ones whose enqueue resolved 'queued'
    const producerQueue = backend().queue<number>('jobs', { visibilityTimeoutMs: 1_500 });
    const acked = new Set<string>();
    const ackedAt: number[] = [];
    const enqueueErrors: Record<string, number> = {};
    let producing = true;
    let serial = 0;
    const producers = [0, 1].map(async (p) => {
      while (producing) {
        const id = `p${p}-${serial++}`;
        try {
          const r = await producerQueue.enqueue(serial, { id });
          if (r.status === 'queued') {
            acked.add(id);
            ackedAt.push(Date.now());
          }
        } catch (error) {
          const code = isBatonError(error) ? error.code : 'other';
          enqueueErrors[code] = (enqueueErrors[code] ?? 0) + 1;
          await sleep(20);
        }
        await sleep(3);
      }
    });

    const restarts: Record<string, Record<string, number>> = {};
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await sleep(PHASE_MS);
      const before = acked.size;
      const downAt = Date.now();
      const killMs = await server.kill(signal);
      await server.boot();
      const upAt = Date.now();
      await sleep(PHASE_MS);
      const firstAfter = (times: number[]): number => (times.find((t) => t >= upAt) ?? Infinity) - upAt;
      restarts[signal] = {
        downMs: upAt - downAt,
        killMs,
        enqueueResumedMs: firstAfter(ackedAt),
        workersResumedMs: firstAfter(completedAt),
        locksResumedMs: firstAfter(locks.acquiredAt),
        ackedDuringPhase: acked.size - before,
      };
      expect(locks.acquisitionsSince(upAt), `lock acquisitions after the ${signal} restart`).toBeGreaterThan(0);
      expect(completedAt.filter((t) => t >= upAt).length, `completions after the ${signal} restart`).toBeGreaterThan(0);
    }
    producing = false;
    await Promise.all(producers);

    // everything acknowledged gets done, with no restart of any component
    let unfinished = [...acked];
    await eventually(
      async () => {
        const flags = await Promise.all(unfinished.map((id) => producerQueue.isFinished(id)));
        unfinished = unfinished.filter((_, i) => !flags[i]);
        if (unfinished.length > 0)
          throw new Error(`${unfinished.length} of ${acked.size} acknowledged ids not finished, e.g. ${unfinished.slice(0, 5).join(', ')}`);
      },
      { what: 'every acknowledged enqueue to finish', timeoutMs: 30_000, intervalMs: 200 },
    );
    // heartbeats and watchers: the survivor is listed, and a node joining now is announced
    const joinedAt = Date.now();
    const late = await backend().registry('nodes').register({ id: 'late' }, { ttlMs: 1_000 });
    await eventually(() => events.some((e) => e.node.id === 'late' && e.type === 'join'), {
      what: "the watcher to see the late node's join",
      timeoutMs: 3_000,
    });
    const listed = (await watcher.list()).map((n) => n.id).sort();
    await locks.stop();
    const stats = await producerQueue.stats();
    const duplicates = [...executed.values()].reduce((sum, n) => sum + n - 1, 0);
    recordFigures('redis-restart', {
      acknowledged: acked.size,
      lost: unfinished.length,
      duplicates,
      dead: stats.dead,
      enqueueErrors,
      lockAcquisitions: locks.fences.length,
      lockOverlaps: locks.overlaps,
      fenceRegressions: locks.fenceRegressions,
      lockErrors: locks.errors,
      sigterm: restarts.SIGTERM,
      sigkill: restarts.SIGKILL,
    });
    expect(unfinished).toEqual([]);
    expect(stats).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    expect(locks.overlaps).toBe(0);
    expect(locks.fenceRegressions).toBe(0);
    expect(listed).toEqual(['late', 'survivor']);
    expect(events.some((e) => e.node.id === 'late' && e.type === 'join' && e.at >= joinedAt)).toBe(true);
    unwatch();
    await late.deregister();
    await registration.deregister();
  }, 90_000);
});
