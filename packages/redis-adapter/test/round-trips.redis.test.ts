import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import type { RedisBackend } from '../src/index.js';
import { shardOf } from '../src/queue/sharded-queue-store.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';
const r = new Resources();
let server: RedisServerHandle;
let backend: RedisBackend;

/**
 * Counts the commands clients send while `fn` runs, with MONITOR on a private redis-server:
 * commands a Lua script runs are tagged "lua" and not counted, so the count is round trips.
 * Connections already in pub/sub mode are not counted either: the UNSUBSCRIBE of a channel an
 * earlier test left behind is sent when its linger ends, in whichever test runs then.
 */
async function countCommands(fn: () => Promise<void>): Promise<Record<string, number>> {
  const marker = r.raw(server.url);
  await marker.ping();
  const subscribers = pubSubAddresses((await marker.client('LIST')) as string);
  const monitor = await r.monitor(server.url);
  const counts: Record<string, number> = {};
  let done = false;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua' || subscribers.has(source) || done) return;
    const name = String(args[0]).toLowerCase();
    if (name === 'echo' && args[1] === 'end-of-measure') done = true;
    else counts[name] = (counts[name] ?? 0) + 1;
  });
  await sleep(50);
  await fn();
  await marker.echo('end-of-measure');
  await eventually(() => done, { what: 'MONITOR to show the end-of-measure marker', timeoutMs: 5_000, intervalMs: 10 });
  monitor.disconnect();
  return counts;
}

/** The addresses of the connections in pub/sub mode (flag P), from CLIENT LIST. */
function pubSubAddresses(clientList: string): Set<string> {
  const addresses = new Set<string>();
  for (const line of clientList.split('\n')) {
    const flags = / flags=(\S*)/.exec(line)?.[1] ?? '';
    const addr = / addr=(\S+)/.exec(line)?.[1];
    if (addr && flags.includes('P')) addresses.add(addr);
  }
  return addresses;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe.skipIf(!available)(`redis round trips per operation${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  const n = 20;

  beforeAll(async () => {
    server = await startRedisServer();
    // the waiting safety net (one call every wakeSweepMs while a worker waits) is kept out of the counts
    backend = r.backend(server.url, { prefix: uniquePrefix('rtt'), wakeSweepMs: 600_000 });
    // warm-up: connection handshake and the first EVALSHA/EVAL of each script are not counted
    const q = backend.queue('warm');
    await q.enqueue('x');
    await q.complete((await q.dequeue())!);
    await q.cancel('none');
    await q.outcome('none');
    await q.enqueue('r');
    const withResult = (await q.dequeue())!;
    await q.progress(withResult, 1);
    await q.complete(withResult, { result: 1 });
    await (await backend.locks().acquire('warm'))!.release();
  });

  afterAll(async () => {
    await r.closeAll();
    await server?.stop();
  });

  it("enqueue is one round trip; a queue's first call in a process also names it, once", async () => {
    const q = backend.queue('rtt-enqueue');
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await q.enqueue({ i });
    });
    // the first enqueue adds 'rtt-enqueue' to the known queues (backend.queues()) beside its script call
    expect(counts).toEqual({ evalsha: n, sadd: 1 });
    expect(await backend.queues()).toContain('rtt-enqueue');
  });

  it('lease and complete are one round trip each', async () => {
    const q = backend.queue('rtt-lease');
    await q.enqueueMany(Array.from({ length: n }, (_, i) => ({ payload: i })));
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await q.complete((await q.dequeue({ waitMs: 1_000 }))!);
    });
    expect(total(counts)).toBe(2 * n);
  });

  it('a worker blocked waiting runs a new task without a lease call of its own', async () => {
    const q = backend.queue('rtt-deliver');
    const admin = r.raw(server.url);
    const idle = `${backend.prefix}:{queue:rtt-deliver}:idle`;
    const blocked = (): Promise<void> => eventually(async () => (await admin.zcard(idle)) === 1, { what: 'the worker to register as waiting', intervalMs: 5 });
    // The queue's first wait sets up its due-channel subscription: not measured.
    const first = q.dequeue({ waitMs: 5_000 });
    await blocked();
    await q.enqueue('warm-up');
    await q.complete((await first)!);
    const waits = [];
    for (let i = 0; i < n; i++) {
      const waiting = q.dequeue({ waitMs: 5_000 });
      await blocked();
      waits.push(
        await countCommands(async () => {
          await q.enqueue({ i });
          await q.complete((await waiting)!);
        }),
      );
    }
    // the enqueue and the completion; the lease call that registered the worker was sent before
    for (const counts of waits) expect(counts).toEqual({ evalsha: 2 });
  });

  it('a completion made in the same turn as the next lease call travels in that call', async () => {
    const q = backend.queue('rtt-complete-lease');
    await q.enqueueMany(Array.from({ length: n + 1 }, (_, i) => ({ payload: i })));
    let lease = (await q.dequeue())!;
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) {
        const [done, next] = await Promise.all([q.complete(lease), q.dequeue()]);
        expect(done).toBe(true);
        lease = next!;
      }
    });
    expect(counts).toEqual({ evalsha: n });
    expect(await q.complete(lease)).toBe(true);
    expect(await q.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
  });

  it('a prioritized enqueue, its lease and its completion are one round trip each', async () => {
    const q = backend.queue('rtt-priority');
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await q.enqueue({ i }, { priority: (i % 5) - 2, headers: { i: String(i) } });
      for (let i = 0; i < n; i++) await q.complete((await q.dequeue())!);
    });
    expect(counts).toEqual({ evalsha: 3 * n, sadd: 1 });
  });

  it('cancel and outcome are one round trip each, in every state', async () => {
    const q = backend.queue('rtt-cancel', { maxAttempts: 1 });
    await q.enqueueMany([
      { payload: 1, id: 'active' },
      { payload: 2, id: 'dead' },
      { payload: 3, id: 'waiting' },
      { payload: 4, id: 'prioritized', priority: 2 },
      { payload: 5, id: 'delayed', delayMs: 60_000 },
    ]);
    const [prioritized, active, dead] = await q.dequeueMany(3);
    expect([prioritized!.id, active!.id, dead!.id]).toEqual(['prioritized', 'active', 'dead']);
    await q.complete(prioritized!);
    await q.fail(dead!, new Error('x'));
    const ids = ['active', 'waiting', 'delayed', 'prioritized', 'dead', 'unknown', 'active'];
    const counts = await countCommands(async () => {
      for (const id of ids) await q.cancel(id);
      for (const id of ids) await q.outcome(id);
    });
    expect(counts).toEqual({ evalsha: 2 * ids.length });
  });

  it('a completion with a result, progress and outcome with its result are one round trip each', async () => {
    const q = backend.queue('rtt-results');
    await q.enqueueMany(Array.from({ length: n }, (_, i) => ({ payload: i, id: `r${i}` })));
    const leases = await q.dequeueMany(n);
    const counts = await countCommands(async () => {
      for (const lease of leases) {
        expect(await q.progress(lease, { done: 0.5 })).toBe(true);
        expect(await q.complete(lease, { result: { n: lease.payload } })).toBe(true);
        expect(await q.outcome(lease.id)).toEqual({ state: 'finished', result: { n: lease.payload } });
      }
    });
    expect(counts).toEqual({ evalsha: 3 * n });
  });

  it('lock acquire and release are one round trip each', async () => {
    const locks = backend.locks();
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await (await locks.acquire(`r${i % 3}`, { ttlMs: 5_000 })).release();
    });
    expect(total(counts)).toBe(2 * n);
  });

  it('enqueueMany and dequeueMany of 2,000 tasks are one round trip each', async () => {
    const q = backend.queue('rtt-batch');
    const counts = await countCommands(async () => {
      await q.enqueueMany(Array.from({ length: 2_000 }, (_, i) => ({ payload: i })));
      expect(await q.dequeueMany(2_000)).toHaveLength(2_000);
    });
    // and the SADD of the queue's name, sent beside the first
    expect(total(counts)).toBe(3);
  });

  it('with limits, lease and complete of an unsharded queue stay one round trip each', async () => {
    const q = backend.queue('rtt-limits', { limits: { concurrency: 5, rate: { max: 1_000, perMs: 60_000 } } });
    await q.enqueueMany(Array.from({ length: n + 1 }, (_, i) => ({ payload: i })));
    // the first lease call subscribes to the queue's freed-slot channel: not measured
    await q.complete((await q.dequeue())!);
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await q.complete((await q.dequeue({ waitMs: 1_000 }))!);
    });
    expect(counts).toEqual({ evalsha: 2 * n });
  });

  it('with limits, a sharded queue reserves before it leases and releases beside each completion', async () => {
    const q = backend.queue('rtt-limits-sharded', { shards: 2, limits: { concurrency: 5 } });
    // all on one shard, so that what each dequeue costs is the same
    const ids = Array.from({ length: 4 * n }, (_, i) => `t${i}`)
      .filter((id) => shardOf(id, 2) === 0)
      .slice(0, n + 1);
    await q.enqueueMany(ids.map((id) => ({ payload: id, id })));
    await q.complete((await q.dequeue())!);
    const counts = await countCommands(async () => {
      for (let i = 0; i < n; i++) await q.complete((await q.dequeue())!);
    });
    // per task: reserveLeases; a lease call on each shard (one last seen empty is asked again at
    // every sweep); completeTask and, beside it, releaseLeases
    expect(counts).toEqual({ evalsha: 5 * n });
  });
});
