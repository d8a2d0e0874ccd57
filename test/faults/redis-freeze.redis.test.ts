// Fault family 3: redis-server SIGSTOPped for longer than the lease and lock TTLs, then SIGCONT.
// Every call made during the freeze settles (with ioredis's commandTimeout, within it), a lost
// lock's signal fires while Redis is still frozen, a running task's lease is given up, and a
// storage that refuses older fences accepts no stale write.
import { isBatonError, Scheduler, silentLogger, SystemClock, type LockHandle } from '@baton/core';
import { RedisBackend, type RedisBackendOptions } from '@baton/redis-adapter';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../setup/eventually.js';
import { DurableRedis } from './support/durable-redis.js';
import { FencedResource } from './support/fenced-resource.js';
import { recordFigures } from './support/results.js';

const available = inject('redisUrl') !== '';
const TTL_MS = 1_000;
const FREEZE_MS = 2_500;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: DurableRedis | undefined;
const backends: RedisBackend[] = [];
const schedulers: Scheduler[] = [];

afterAll(async () => {
  server?.thaw();
  await Promise.allSettled(schedulers.map((s) => s.stop({ timeoutMs: 0 })));
  await Promise.allSettled(backends.map((b) => b.close()));
  await server?.stop();
});

/** Runs `p` and records when it settled and how. */
function timed(p: Promise<unknown>): Promise<{ at: number; ok: boolean; code?: string }> {
  return p.then(
    () => ({ at: Date.now(), ok: true }),
    (error: unknown) => ({ at: Date.now(), ok: false, code: isBatonError(error) ? error.code : String(error) }),
  );
}

describe.skipIf(!available)(`redis frozen${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('a SIGSTOPped server: calls settle, lost locks and leases abort their signals, no stale write is accepted', async () => {
    server = await DurableRedis.start();
    const clock = new SystemClock();
    const backend = (extra: Partial<RedisBackendOptions> = {}): RedisBackend => {
      const b = new RedisBackend({ url: server!.url, prefix: 'freeze', clock, logger: silentLogger, ...extra });
      backends.push(b);
      return b;
    };
    const resource = new FencedResource();

    // holder A writes through the fenced resource while its signal says it holds the lock
    const holderA = await backend().locks().acquire('res', { ttlMs: TTL_MS, autoExtend: true });
    resource.grant(holderA.fence);
    let aWritesAfterAbort = 0;
    let aWriting = true;
    const aLoop = (async () => {
      while (aWriting) {
        if (holderA.signal.aborted) break;
        resource.write(holderA.fence, 'A');
        await sleep(20);
      }
      // a stale holder that ignores its signal would do this: the fence check must refuse it
      while (aWriting) await sleep(20);
      if (!resource.write(holderA.fence, 'A')) return;
      aWritesAfterAbort++;
    })();

    // a worker running a task that outlives the freeze
    const worker = new Scheduler(backend(), clock, silentLogger, {
      nodeId: 'w',
      idleWaitMs: 200,
      recoverStalledIntervalMs: 200,
      nodeTtlMs: 5_000,
      errorBackoffMs: 100,
    });
    const attempts: Array<{ attempt: number; abortedAt?: number; code?: string }> = [];
    let releaseFirst: () => void = () => undefined;
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
    worker.handle(
      'jobs',
      async (task, ctx) => {
        const record: { attempt: number; abortedAt?: number; code?: string } = { attempt: task.attempt };
        attempts.push(record);
        ctx.signal.addEventListener('abort', () => {
          record.abortedAt = Date.now();
          record.code = isBatonError(ctx.signal.reason) ? ctx.signal.reason.code : String(ctx.signal.reason);
        });
        if (task.attempt === 1) await firstMayEnd;
      },
      { queue: { visibilityTimeoutMs: TTL_MS } },
    );
    let lostEvents = 0;
    worker.on('lost', () => lostEvents++);
    schedulers.push(worker);
    await worker.start();
    const probe = backend();
    await probe.queue('jobs', { visibilityTimeoutMs: TTL_MS }).enqueue('long', { id: 'long' });
    await eventually(() => attempts.length > 0, { what: 'the worker to start the long task', timeoutMs: 5_000 });
    expect(attempts).toHaveLength(1);
    const bounded = backend({ commandTimeout: 500 });
    await bounded.queue('jobs').stats();
    await sleep(100);

    let aAbortedAt = -1;
    holderA.signal.addEventListener('abort', () => (aAbortedAt = Date.now()));
    server.freeze();
    const frozenAt = Date.now();
    await sleep(100);
    // calls issued while the server is frozen
    const contenderB = backend().locks().acquire('res', { ttlMs: 5_000, waitMs: 10_000 });
    const calls = {
      acquireWaiting: timed(contenderB),
      enqueue: timed(probe.queue('other').enqueue('x')),
      dequeueWait500: timed(probe.queue('other2').dequeue({ waitMs: 500 })),
      tryAcquire: timed(probe.locks().tryAcquire('other')),
      registryList: timed(probe.registry('nodes').list()),
    };
    const boundedCalls = {
      enqueue: timed(bounded.queue('other').enqueue('y')),
      tryAcquire: timed(bounded.locks().tryAcquire('other-b')),
      stats: timed(bounded.queue('jobs').stats()),
    };
    await sleep(FREEZE_MS - 100);
    const aAbortedDuringFreeze = holderA.signal.aborted;
    const leaseLostDuringFreeze = attempts[0]!.abortedAt !== undefined;
    server.thaw();
    const thawedAt = Date.now();

    const lockB: LockHandle = await contenderB;
    resource.grant(lockB.fence);
    expect(resource.write(lockB.fence, 'B')).toBe(true);
    aWriting = false;
    await aLoop;
    const settled = Object.fromEntries(await Promise.all(Object.entries(calls).map(async ([k, v]) => [k, await v] as const)));
    const settledBounded = Object.fromEntries(await Promise.all(Object.entries(boundedCalls).map(async ([k, v]) => [k, await v] as const)));
    releaseFirst();
    await eventually(() => probe.queue('jobs').isFinished('long'), { what: 'the long task to be re-run and finished', timeoutMs: 5_000 });
    const finished = await probe.queue('jobs').isFinished('long');
    const aRelease = await holderA.release();
    await lockB.release();

    const afterThaw = Object.fromEntries(Object.entries(settled).map(([k, v]) => [k, v.at - thawedAt]));
    const boundedAfterFreeze = Object.fromEntries(Object.entries(settledBounded).map(([k, v]) => [k, { ms: v.at - frozenAt, code: v.code ?? 'ok' }]));
    recordFigures('redis-freeze', {
      freezeMs: thawedAt - frozenAt,
      ttlMs: TTL_MS,
      lockSignalAbortedAfterFreezeMs: aAbortedAt - frozenAt,
      leaseAbortedAfterFreezeMs: attempts[0]!.abortedAt === undefined ? -1 : attempts[0]!.abortedAt - frozenAt,
      callsSettledAfterThawMs: afterThaw,
      commandTimeout500: boundedAfterFreeze,
      staleWritesAccepted: resource.staleAccepted,
      staleWritesRefused: resource.refused,
      fences: [holderA.fence, lockB.fence],
    });
    expect(aAbortedDuringFreeze).toBe(true);
    expect((holderA.signal.reason as Error & { code?: string }).code).toBe('LOCK_LOST');
    expect(leaseLostDuringFreeze).toBe(true);
    expect(attempts[0]!.code).toBe('LOCK_LOST');
    expect(lostEvents).toBe(1);
    expect(finished).toBe(true);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(lockB.fence).toBeGreaterThan(holderA.fence);
    expect(resource.staleAccepted).toBe(0);
    expect(resource.refused).toBe(1);
    expect(aWritesAfterAbort).toBe(0);
    expect(aRelease).toBe(false);
    for (const [name, result] of Object.entries(settled)) {
      expect(result.at - thawedAt, `${name} settled soon after the thaw`).toBeLessThan(3_000);
    }
    for (const [name, result] of Object.entries(settledBounded)) {
      expect(result.ok, `${name} with commandTimeout fails during the freeze`).toBe(false);
      expect(result.code).toBe('BACKEND_UNAVAILABLE');
      expect(result.at, `${name} with commandTimeout settled before the thaw`).toBeLessThan(thawedAt);
    }
  }, 30_000);
});
