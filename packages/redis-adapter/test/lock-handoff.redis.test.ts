import type { LockManager } from '@baton/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { leaveLockQueue } from '../src/locks/lock-scripts.js';
import { evalScript } from '../src/script-runner.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

/** A bound lock key per test, and the keys Baton keeps next to it (same hash tag). */
function lockKeys(): { lock: string; fence: string; waiters: string; deadlines: string } {
  const lock = `${uniquePrefix('handoff')}:lock`;
  return { lock, fence: `{${lock}}:fence`, waiters: `{${lock}}:waiters`, deadlines: `{${lock}}:waiter-deadlines` };
}

/** A fresh bound lock: its keys, a raw client, and a way to open lock managers on new backends bound to it. */
function boundLock(): { k: ReturnType<typeof lockKeys>; raw: ReturnType<Resources['raw']>; locks: () => LockManager } {
  const k = lockKeys();
  return { k, raw: r.raw(url), locks: () => r.backend(url).locks({ keys: { lock: () => k.lock } }) };
}

describe.skipIf(url === '')(`redis lock hand-off${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a release hands the lock to the first waiter: the lock key holds its token and the fence is one up before the waiter hears of it', async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const waiting = locks().acquire('res', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(k.waiters)) === 1, { what: 'the waiter to be in line', intervalMs: 10 });
    expect(await holder.release()).toBe(true);
    const owner = await raw.get(k.lock);
    expect(owner).not.toBeNull();
    expect(owner).not.toBe(holder.token);
    expect(Number(await raw.get(k.fence))).toBe(holder.fence + 1);
    expect(await raw.pttl(k.lock)).toBeGreaterThan(9_000);
    const lock = await waiting;
    expect(lock.token).toBe(owner);
    expect(lock.fence).toBe(holder.fence + 1);
    expect(await raw.llen(k.waiters)).toBe(0);
    expect(await raw.zcard(k.deadlines)).toBe(0);
    expect(await lock.release()).toBe(true);
    expect(await raw.exists(k.lock)).toBe(0);
  });

  it("a hand-off whose message never arrives is found by the waiter's next look at the lock", async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const waiting = locks().acquire('res', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(k.waiters)) === 1, { what: 'the waiter to be in line', intervalMs: 10 });
    // the hand-off of releaseLock.lua, without its PUBLISH
    const entry = (await raw.lpop(k.waiters))!;
    await raw.zrem(k.deadlines, entry);
    const token = entry.split(' ')[0]!;
    await raw.set(k.lock, token, 'PX', 10_000, 'XX');
    const fence = await raw.incr(k.fence);
    const started = Date.now();
    const lock = await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lock.token).toBe(token);
    expect(lock.fence).toBe(fence);
    expect(fence).toBe(holder.fence + 1);
    expect(await lock.release()).toBe(true);
  });

  it('a waiter that stopped refreshing its place (crashed) is skipped by the release once the place lapsed', async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const ghost = 'feedfeedfeedfeedfeedfeedfeedfeed 10000 nobody-listens';
    await raw.rpush(k.waiters, ghost);
    await raw.zadd(k.deadlines, Date.now() + 60_000, ghost);
    const waiting = locks().acquire('res', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(k.waiters)) === 2, { what: 'the waiter to be in line behind the crashed one', intervalMs: 10 });
    await raw.zadd(k.deadlines, 'XX', Date.now() - 1, ghost);
    await holder.release();
    const lock = await waiting;
    expect(lock.fence).toBe(holder.fence + 1);
    expect(await raw.get(k.lock)).toBe(lock.token);
    expect(await raw.zscore(k.deadlines, ghost)).toBeNull();
    await lock.release();
  });

  it("a waiter that crashed while its place was live is handed the lock, which then blocks the next waiter for that waiter's TTL at most", async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const ghost = 'feedfeedfeedfeedfeedfeedfeedfeed 400 nobody-listens';
    await raw.rpush(k.waiters, ghost);
    await raw.zadd(k.deadlines, Date.now() + 60_000, ghost);
    const waiting = locks().acquire('res', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(k.waiters)) === 2, { what: 'the waiter to be in line behind the crashed one', intervalMs: 10 });
    const released = Date.now();
    await holder.release();
    expect(await raw.get(k.lock)).toBe('feedfeedfeedfeedfeedfeedfeedfeed');
    const lock = await waiting;
    const waited = Date.now() - released;
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(2_000);
    expect(lock.fence).toBe(holder.fence + 2);
    await lock.release();
  });

  it('the grant channel is one per backend: a release tells only the connection of the waiter it hands the lock to', async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const waiters = [locks(), locks(), locks()].map((l) => l.acquire('res', { ttlMs: 10_000, waitMs: 5_000 }));
    await eventually(async () => (await raw.llen(k.waiters)) === 3, { what: 'three waiters to be in line', intervalMs: 10 });
    const channels = (await raw.lrange(k.waiters, 0, -1)).map((entry) => entry.split(' ')[2]);
    expect(new Set(channels).size).toBe(3);
    expect(await raw.pubsub('NUMSUB', ...(channels as string[]))).toEqual(channels.flatMap((c) => [c, 1]));
    await holder.release();
    const fences: number[] = [];
    await Promise.all(
      waiters.map(async (waiting) => {
        const lock = await waiting;
        fences.push(lock.fence);
        await lock.release();
      }),
    );
    expect(fences).toEqual([holder.fence + 1, holder.fence + 2, holder.fence + 3]);
  });

  it('a backend subscribes its grant channel only once an acquire meets a held lock', async () => {
    const raw = r.raw(url);
    const prefix = uniquePrefix('grants');
    const [b1, b2] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    for (let i = 0; i < 3; i++) await (await b1.locks().acquire(`free-${i}`, { ttlMs: 5_000 })).release();
    expect(await raw.pubsub('CHANNELS', `${prefix}:lock-grants:*`)).toEqual([]);
    const holder = await b1.locks().acquire('busy', { ttlMs: 5_000 });
    const waiting = b2.locks().acquire('busy', { ttlMs: 5_000, waitMs: 5_000 });
    await eventually(async () => ((await raw.pubsub('CHANNELS', `${prefix}:lock-grants:*`)) as string[]).length === 1, {
      what: 'the waiting backend to subscribe',
      intervalMs: 10,
    });
    await holder.release();
    expect((await waiting).fence).toBe(holder.fence + 1);
  });

  it('a waiter that gives up passes on a lock handed to it meanwhile, and the first in line that leaves a free lock hands it to the next', async () => {
    const k = lockKeys();
    const raw = r.raw(url);
    const keys = { lock: k.lock, fence: k.fence, waiters: k.waiters, waiterDeadlines: k.deadlines };
    const leave = (token: string, entry: string): Promise<unknown> => evalScript(raw, leaveLockQueue, keys, { token, entry });
    const a = 'aaaa0000aaaa0000aaaa0000aaaa0000 5000 ch-a';
    const b = 'bbbb0000bbbb0000bbbb0000bbbb0000 5000 ch-b';
    // a was handed the lock (its entry popped), b waits behind
    await raw.set(k.lock, 'aaaa0000aaaa0000aaaa0000aaaa0000', 'PX', 5_000);
    await raw.set(k.fence, 7);
    await raw.rpush(k.waiters, b);
    await raw.zadd(k.deadlines, Date.now() + 60_000, b);
    expect(await leave('aaaa0000aaaa0000aaaa0000aaaa0000', a)).toBe(1);
    expect(await raw.get(k.lock)).toBe('bbbb0000bbbb0000bbbb0000bbbb0000');
    expect(await raw.get(k.fence)).toBe('8');
    expect(await raw.llen(k.waiters)).toBe(0);
    // the lock is free (expired) with a first in line and b behind it: the first leaves, b gets it
    await raw.del(k.lock);
    await raw.rpush(k.waiters, a, b);
    await raw.zadd(k.deadlines, Date.now() + 60_000, a, Date.now() + 60_000, b);
    expect(await leave('aaaa0000aaaa0000aaaa0000aaaa0000', a)).toBe(1);
    expect(await raw.get(k.lock)).toBe('bbbb0000bbbb0000bbbb0000bbbb0000');
    expect(await raw.get(k.fence)).toBe('9');
    expect(await raw.zcard(k.deadlines)).toBe(0);
  });

  it('a waiter with a TTL shorter than the fallback look still holds a handed-over lock for a good part of its TTL', async () => {
    const { k, raw, locks } = boundLock();
    const holder = await locks().acquire('res', { ttlMs: 10_000 });
    const waiting = locks().acquire('res', { ttlMs: 200, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(k.waiters)) === 1, { what: 'the waiter to be in line', intervalMs: 10 });
    // the local deadline counts from the waiter's last look, so it must look within its TTL
    await sleep(150);
    await holder.release();
    const lock = await waiting;
    await sleep(50);
    expect(lock.signal.aborted).toBe(false);
    expect(await lock.release()).toBe(true);
  });
});
