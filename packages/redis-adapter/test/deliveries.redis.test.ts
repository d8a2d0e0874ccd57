import { afterEach, describe, expect, inject, it } from 'vitest';
import { returnDelivery } from '../src/queue/queue-scripts.js';
import { evalScript } from '../src/script-runner.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

// Deliveries: an enqueue leases a new task to a worker that is blocked waiting and pushes it with
// its lease, so that worker runs it without a lease call of its own.
describe.skipIf(url === '')(`redis deliveries to waiting workers${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a task enqueued while a worker waits reaches it already leased, and is counted once', async () => {
    const prefix = uniquePrefix('deliver');
    const [worker, producer] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const waiting = worker.queue<string>('jobs').dequeue({ waitMs: 8_000 });
    await sleep(150);
    const raw = r.raw(url);
    expect(await raw.zcard(`${prefix}:{queue:jobs}:idle`)).toBe(1);
    await producer.queue<string>('jobs').enqueue('hello', { id: 'h1' });
    const lease = (await waiting)!;
    expect(lease).toMatchObject({ id: 'h1', payload: 'hello', attempt: 1 });
    expect(lease.deadline).toBeGreaterThan(Date.now());
    expect(await worker.queue('jobs').stats()).toEqual({ waiting: 0, active: 1, delayed: 0, dead: 0, deadDropped: 0 });
    expect(await producer.queue('jobs').enqueue('again', { id: 'h1' })).toEqual({ id: 'h1', status: 'duplicate' });
    expect(await worker.queue('jobs').complete(lease)).toBe(true);
    expect(await producer.queue('jobs').isFinished('h1')).toBe(true);
    // the received delivery's claimed entry goes with the next lease call
    expect(await raw.llen(`${prefix}:{queue:jobs}:claimed`)).toBe(1);
    expect(await worker.queue('jobs').dequeue()).toBeNull();
    expect(await raw.llen(`${prefix}:{queue:jobs}:claimed`)).toBe(0);
  });

  it('a delivery nobody received is adopted by the next lease call with its lease renewed', async () => {
    const prefix = uniquePrefix('adopt');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    const raw = r.raw(url);
    // a waiter that registered and then went away without taking its registration back
    await raw.zadd(`${prefix}:{queue:jobs}:idle`, Date.now() + 60_000, 'gone|30000');
    await q.enqueueMany([
      { payload: 'a', id: 'a' },
      { payload: 'b', id: 'b' },
    ]);
    // one delivery per registration: 'a' was delivered, 'b' queued as usual
    expect(await raw.hexists(`${prefix}:{queue:jobs}:leases`, 'a')).toBe(1);
    expect(await raw.hexists(`${prefix}:{queue:jobs}:leases`, 'b')).toBe(0);
    const leases = await q.dequeueMany(5);
    expect(leases.map((l) => [l.id, l.attempt])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect((await q.dequeueMany(5)).length).toBe(0);
    expect(await Promise.all(leases.map((l) => q.complete(l)))).toEqual([true, true]);
    expect(await q.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
  });

  it('a delivery whose worker died after receiving it is recovered when its lease expires, never run twice before', async () => {
    const prefix = uniquePrefix('died');
    const q = r.backend(url, { prefix }).queue<string>('jobs', { visibilityTimeoutMs: 300 });
    const raw = r.raw(url);
    await raw.zadd(`${prefix}:{queue:jobs}:idle`, Date.now() + 60_000, 'dying|300');
    await q.enqueue('work', { id: 'w' });
    // what the dying worker's BLMOVE did: the delivery sits in the claimed list, received
    await raw.lmove(`${prefix}:{queue:jobs}:wait`, `${prefix}:{queue:jobs}:claimed`, 'RIGHT', 'LEFT');
    expect(await q.dequeueMany(5)).toEqual([]);
    expect(await raw.llen(`${prefix}:{queue:jobs}:claimed`)).toBe(0);
    await sleep(350);
    expect(await q.recoverStalled()).toBe(1);
    const again = (await q.dequeue())!;
    expect(again).toMatchObject({ id: 'w', attempt: 2 });
    expect(again.lastError).toContain('lease expired');
    expect(await q.complete(again)).toBe(true);
  });

  it('a delivery received where nobody waits for it any more goes back to the wait list while its lease holds', async () => {
    const prefix = uniquePrefix('return');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    const raw = r.raw(url);
    const key = (part: string): string => `${prefix}:{queue:jobs}:${part}`;
    const giveBack = (delivery: string): Promise<unknown> =>
      evalScript(raw, returnDelivery, { claimed: key('claimed'), wait: key('wait'), leases: key('leases') }, { delivery });
    await raw.zadd(key('idle'), Date.now() + 60_000, 'left|30000');
    await q.enqueue('kept', { id: 'k' });
    // a worker's BLMOVE took it, but its local waiter had timed out in the meantime
    const delivery = (await raw.lmove(key('wait'), key('claimed'), 'RIGHT', 'LEFT'))!;
    expect(await giveBack(delivery)).toBe(1);
    expect(await raw.llen(key('claimed'))).toBe(0);
    const lease = (await q.dequeue())!;
    expect(lease).toMatchObject({ id: 'k', attempt: 1 });
    expect(await q.complete(lease)).toBe(true);
    // once its lease no longer holds, there is nothing to give back
    expect(await giveBack(delivery)).toBe(0);
    expect(await raw.llen(key('wait'))).toBe(0);
  });
});
