import { ManualClock } from '@baton/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KeyLayout, type PermitKeys } from '../src/key-layout.js';
import { Resources, SkewedClock, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** A prefix, the semaphore keys of `resource` under it, and a raw client. */
function setup(resource: string): { prefix: string; k: PermitKeys; raw: ReturnType<Resources['raw']> } {
  const prefix = uniquePrefix('permits');
  return { prefix, k: new KeyLayout(prefix).permits('semaphore', resource), raw: r.raw(url) };
}

describe.skipIf(url === '')(`redis semaphores and read/write locks${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('keeps every key of a resource under one hash tag, and only the fence counter once it is idle', async () => {
    const { prefix, k, raw } = setup('tagged');
    const semaphores = r.backend(url, { prefix }).semaphores({ limit: 2 });
    const held = await semaphores.acquire('tagged', { ttlMs: 10_000 });
    const keys = await raw.keys(`${prefix}:*`);
    expect(keys.sort()).toEqual([k.holders, k.state].sort());
    for (const key of keys) expect(key).toContain('{semaphore:tagged}');
    expect(await raw.zscore(k.holders, held.token)).not.toBeNull();
    expect(await raw.hget(k.state, held.token)).toBe(`1 ${held.fence}`);
    await held.release();
    expect(await raw.keys(`${prefix}:*`)).toEqual([k.state]);
    expect(await raw.hget(k.state, held.token)).toBeNull();
    expect(await raw.hget(k.state, 'fence')).toBe(String(held.fence));
    await (await semaphores.acquire('tagged')).release();
    expect(await raw.hget(k.state, 'fence')).toBe(String(held.fence + 1));
    // a read/write lock of the same name is another resource, with a fence of its own
    const rwlock = await r.backend(url, { prefix }).rwlocks().write('tagged', { ttlMs: 10_000 });
    expect(await raw.exists(new KeyLayout(prefix).permits('rwlock', 'tagged').holders)).toBe(1);
    expect(rwlock.fence).toBe(1);
  });

  it('a release hands the permits to the waiter before it hears of it: its grant is stored with its TTL and fence', async () => {
    const { prefix, k, raw } = setup('handoff');
    const semaphores = (): ReturnType<ReturnType<Resources['backend']>['semaphores']> => r.backend(url, { prefix }).semaphores({ limit: 3 });
    const holder = await semaphores().acquire('handoff', { permits: 3, ttlMs: 10_000 });
    const waiting = semaphores().acquire('handoff', { permits: 2, ttlMs: 8_000, waitMs: 5_000 });
    await until(async () => (await raw.llen(k.waiters)) === 1, 'the waiter is in line');
    const [entry] = await raw.lrange(k.waiters, 0, 0);
    const token = entry!.split(' ')[0]!;
    expect(await holder.release()).toBe(true);
    expect(await raw.hget(k.state, token)).toBe(`2 ${holder.fence + 1}`);
    const expiry = Number(await raw.zscore(k.holders, token));
    const [seconds] = await raw.time();
    expect(expiry - Number(seconds) * 1_000).toBeGreaterThan(7_000);
    expect(await raw.llen(k.waiters)).toBe(0);
    expect(await raw.zcard(k.places)).toBe(0);
    const handle = await waiting;
    expect([handle.token, handle.fence, handle.permits]).toEqual([token, holder.fence + 1, 2]);
    expect(await handle.release()).toBe(true);
  });

  it("a hand-off whose message never arrives is found by the waiter's next look", async () => {
    const { prefix, k, raw } = setup('lost-message');
    const semaphores = (): ReturnType<ReturnType<Resources['backend']>['semaphores']> => r.backend(url, { prefix }).semaphores({ limit: 1 });
    const holder = await semaphores().acquire('lost-message', { ttlMs: 10_000 });
    const waiting = semaphores().acquire('lost-message', { ttlMs: 10_000, waitMs: 5_000 });
    await until(async () => (await raw.llen(k.waiters)) === 1, 'the waiter is in line');
    // what releasePermits does for this waiter, without its PUBLISH
    const entry = (await raw.lpop(k.waiters))!;
    await raw.zrem(k.places, entry);
    const token = entry.split(' ')[0]!;
    await raw.zrem(k.holders, holder.token);
    await raw.hdel(k.state, holder.token);
    await raw.zadd(k.holders, Date.now() + 10_000, token);
    await raw.hset(k.state, token, `1 ${holder.fence + 1}`, 'fence', holder.fence + 1);
    const handle = await waiting;
    expect([handle.token, handle.fence]).toEqual([token, holder.fence + 1]);
  });

  it('a waiter that stopped refreshing its place (crashed) is skipped once the place lapsed', async () => {
    const { prefix, k, raw } = setup('ghost');
    const semaphores = (): ReturnType<ReturnType<Resources['backend']>['semaphores']> => r.backend(url, { prefix }).semaphores({ limit: 1 });
    const holder = await semaphores().acquire('ghost', { ttlMs: 10_000 });
    const ghost = 'feedfeedfeedfeedfeedfeedfeedfeed 1 10000 1 nobody-listens';
    await raw.rpush(k.waiters, ghost);
    await raw.zadd(k.places, Date.now() + 60_000, ghost);
    const waiting = semaphores().acquire('ghost', { ttlMs: 10_000, waitMs: 5_000 });
    await until(async () => (await raw.llen(k.waiters)) === 2, 'the waiter is in line behind the crashed one');
    expect((await semaphores().inspect('ghost')).waiters).toHaveLength(2);
    await raw.zadd(k.places, 'XX', Date.now() - 1, ghost);
    expect((await semaphores().inspect('ghost')).waiters).toHaveLength(1);
    await holder.release();
    const handle = await waiting;
    expect(handle.fence).toBe(holder.fence + 1);
    expect(await raw.hget(k.state, 'feedfeedfeedfeedfeedfeedfeedfeed')).toBeNull();
  });

  it("grants expire by the server's clock: a caller whose clock does not move still loses them at their TTL", async () => {
    const { prefix } = setup('frozen');
    const frozen = r.backend(url, { prefix, clock: new ManualClock() });
    // a TTL long enough for a second backend to connect and ask on a loaded machine
    const handle = await frozen.semaphores({ limit: 1 }).acquire('frozen', { ttlMs: 1_000 });
    expect(await r.backend(url, { prefix }).semaphores({ limit: 1 }).tryAcquire('frozen')).toBeNull();
    await sleep(1_100);
    // the local deadline never passed on the frozen clock: the server's answer is what says it is gone
    expect(handle.signal.aborted).toBe(false);
    expect(await handle.extend()).toBe(false);
    expect(handle.signal.aborted).toBe(true);
    expect(await r.backend(url, { prefix }).semaphores({ limit: 1 }).tryAcquire('frozen')).not.toBeNull();
  });

  it('callers whose clocks are a minute apart in either direction neither steal live grants nor lose their place in line', async () => {
    const { prefix } = setup('skew');
    const behind = r.backend(url, { prefix, clock: new SkewedClock(-60_000) }).semaphores({ limit: 1 });
    const ahead = r.backend(url, { prefix, clock: new SkewedClock(60_000) }).semaphores({ limit: 1 });
    const held = await behind.acquire('skew', { ttlMs: 2_000 });
    expect(await ahead.tryAcquire('skew')).toBeNull();
    const state = await ahead.inspect('skew');
    expect(state.holders[0]!.expiresInMs).toBeGreaterThan(1_000);
    expect(state.holders[0]!.expiresInMs).toBeLessThanOrEqual(2_000);
    // the waiter's clock is behind, the releaser's ahead: the waiter's place must still be live
    const rwBehind = r.backend(url, { prefix, clock: new SkewedClock(-60_000) }).rwlocks();
    const rwAhead = r.backend(url, { prefix, clock: new SkewedClock(60_000) }).rwlocks();
    const writer = await rwAhead.write('skew', { ttlMs: 5_000 });
    const reading = rwBehind.read('skew', { ttlMs: 5_000, waitMs: 3_000 });
    await until(async () => (await rwAhead.inspect('skew')).waiters.length === 1, 'the reader is in line');
    await writer.release();
    expect((await reading).fence).toBe(writer.fence);
    const waiting = ahead.acquire('skew', { ttlMs: 2_000, waitMs: 3_000 });
    await sleep(100);
    expect(await held.release()).toBe(true);
    expect((await waiting).fence).toBe(held.fence + 1);
  });
});
