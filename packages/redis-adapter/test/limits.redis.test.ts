import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { reserveLeases } from '../src/queue/limit-scripts.js';
import { leaseTasks } from '../src/queue/queue-scripts.js';
import { scriptSource } from '../src/script-loader.js';
import type { AnyScript } from '../src/script.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { eventually } from '../../../test/setup/eventually.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';
const r = new Resources();
let server: RedisServerHandle;

/**
 * Counts, with MONITOR on a private redis-server, the calls clients send of `script` (by its
 * SHA1, as EVALSHA sends it). Commands a script runs are tagged "lua" and not counted.
 */
async function watchScriptCalls(script: AnyScript): Promise<{ count: () => number; stop: () => void }> {
  const sha = createHash('sha1').update(scriptSource(script)).digest('hex');
  const monitor: Redis = await r.monitor(server.url);
  let calls = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && String(args[0]).toLowerCase() === 'evalsha' && args[1] === sha) calls++;
  });
  await sleep(50);
  return { count: () => calls, stop: () => monitor.disconnect() };
}

describe.skipIf(!available)(`redis queue limits${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await r.closeAll();
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const shards of [1, 3]) {
    // the step that a held-back worker repeats: the lease script, or a sharded queue's reservation
    const step = shards === 1 ? leaseTasks : reserveLeases;
    it(`a worker held back by concurrency waits without lease calls until a completion frees the slot (shards: ${shards})`, async () => {
      const prefix = uniquePrefix('limits-spin');
      const options = { shards, limits: { concurrency: 1 } };
      const q = r.backend(server.url, { prefix }).queue<number>('q', options);
      await q.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ payload: n, id: `t${n}` })));
      const held = (await q.dequeue())!;
      const other = r.backend(server.url, { prefix }).queue<number>('q', options);
      const calls = await watchScriptCalls(step);
      try {
        let got: number | undefined;
        const worker = other.dequeue({ waitMs: 10_000 }).then((l) => (got = l?.payload));
        await sleep(1_000);
        expect(got).toBeUndefined();
        // the first call, and one more once its subscription to freed slots is in place
        expect(calls.count()).toBeLessThanOrEqual(2);
        expect(await q.complete(held)).toBe(true);
        await worker;
        expect(got).toBeDefined();
        expect(calls.count()).toBeLessThanOrEqual(3);
      } finally {
        calls.stop();
      }
    });
  }

  it('a sharded queue: cancel and fail free the slot at once, extend keeps it, expiry frees it by the server clock', async () => {
    const prefix = uniquePrefix('limits-sharded');
    const options = { shards: 3, visibilityTimeoutMs: 600, limits: { concurrency: 1 } };
    const q = r.backend(server.url, { prefix }).queue<number>('q', options);
    const other = r.backend(server.url, { prefix }).queue<number>('q', options);
    await q.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ payload: i, id: `t${i}` })));

    const first = (await q.dequeue())!;
    const waiting = other.dequeue({ waitMs: 10_000 });
    await sleep(200);
    expect(await q.cancel(first.id)).toBe('cancelled');
    const second = (await waiting)!;
    expect(second).not.toBeNull();

    const third = other.dequeue({ waitMs: 10_000 });
    await sleep(200);
    expect(await other.fail(second, new Error('no'), { retryInMs: 60_000 })).toBe('retry');
    const held = (await third)!;
    expect(held).not.toBeNull();

    // extended past its first deadline, the lease keeps its slot; then it lapses and frees it
    let got: string | undefined;
    const fourth = q.dequeue({ waitMs: 10_000 }).then((l) => (got = l?.id));
    await sleep(300);
    expect(await other.extend(held, 900)).toBe(true);
    await sleep(600);
    expect(got).toBeUndefined();
    await eventually(() => got !== undefined, { what: 'the lapsed lease to free its slot', timeoutMs: 3_000, intervalMs: 20 });
    await fourth;
    // the lapsed lease is still active until recovered; its slot is free all the same
    expect((await q.stats()).active).toBe(2);
  });

  it('an unsharded queue keeps its limits in one hash next to its keys; a sharded one under its unsharded tag', async () => {
    const prefix = uniquePrefix('limits-keys');
    const backend = r.backend(server.url, { prefix });
    const admin = r.raw(server.url);
    const plain = backend.queue('plain', { limits: { rate: { max: 5, perMs: 60_000 } } });
    await plain.enqueue(1);
    await plain.dequeue();
    expect(await admin.hget(`${prefix}:{queue:plain}:limits`, 'started')).toBe('1');
    const sharded = backend.queue('sharded', { shards: 2, limits: { concurrency: 2, rate: { max: 5, perMs: 60_000 } } });
    await sharded.enqueueMany([{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    const leases = await sharded.dequeueMany(3);
    expect(leases).toHaveLength(2);
    expect(await admin.hget(`${prefix}:{queue:sharded}:limits`, 'started')).toBe('2');
    expect((await admin.zrange(`${prefix}:{queue:sharded}:reservations`, '0', '-1')).sort()).toEqual(leases.map((l) => l.token).sort());
    for (const lease of leases) await sharded.complete(lease);
    expect(await admin.zcard(`${prefix}:{queue:sharded}:reservations`)).toBe(0);
    // a queue without limits writes no limits keys
    const free = backend.queue('free');
    await free.enqueue(1);
    await free.complete((await free.dequeue())!);
    expect(await admin.exists(`${prefix}:{queue:free}:limits`)).toBe(0);
  });
});
