import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { returnDelivery } from '../src/queue/queue-scripts.js';
import { evalScript } from '../src/script-runner.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

/** A connection subscribed to `channel` that plays a process's wake channel; collects what it hears. */
async function listener(channel: string): Promise<{ client: Redis; heard: string[] }> {
  const client = r.raw(url);
  const heard: string[] = [];
  client.on('message', (_channel: string, message: string) => heard.push(message));
  await client.subscribe(channel);
  return { client, heard };
}

// Deliveries: an enqueue leases a new task to a worker that waits and publishes it with its lease
// on the worker's wake channel, so that worker runs it without a lease call of its own.
describe.skipIf(url === '')(`redis deliveries to waiting workers${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a task enqueued while a worker waits reaches it already leased, and is counted once', async () => {
    const prefix = uniquePrefix('deliver');
    const [worker, producer] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const waiting = worker.queue<string>('jobs').dequeue({ waitMs: 8_000 });
    const raw = r.raw(url);
    await eventually(async () => (await raw.zcard(`${prefix}:{queue:jobs}:idle`)) === 1, { what: 'the worker to register as waiting' });
    await producer.queue<string>('jobs').enqueue('hello', { id: 'h1' });
    const lease = (await waiting)!;
    expect(lease).toMatchObject({ id: 'h1', payload: 'hello', attempt: 1 });
    expect(lease.deadline).toBeGreaterThan(Date.now());
    expect(await worker.queue('jobs').stats()).toEqual({ waiting: 0, active: 1, delayed: 0, dead: 0, deadDropped: 0 });
    expect(await producer.queue('jobs').enqueue('again', { id: 'h1' })).toEqual({ id: 'h1', status: 'duplicate' });
    expect(await worker.queue('jobs').complete(lease)).toBe(true);
    expect(await producer.queue('jobs').isFinished('h1')).toBe(true);
    // nothing of the delivery is left in the lists
    expect(await raw.llen(`${prefix}:{queue:jobs}:wait`)).toBe(0);
    expect(await raw.llen(`${prefix}:{queue:jobs}:claimed`)).toBe(0);
  });

  it('a task enqueued by the process whose worker waits comes back in the enqueue reply, not as a message', async () => {
    const prefix = uniquePrefix('own');
    const [own, other] = [r.backend(url, { prefix }), r.backend(url, { prefix })];
    const raw = r.raw(url);
    const heard: string[] = [];
    const spy = r.raw(url);
    spy.on('pmessage', (_pattern: string, channel: string) => heard.push(channel));
    await spy.psubscribe(`${prefix}:waiters:*`);
    const registered = (): Promise<boolean> => raw.zcard(`${prefix}:{queue:jobs}:idle`).then((n) => n === 1);

    const first = own.queue<string>('jobs').dequeue({ waitMs: 8_000 });
    await eventually(registered, { what: 'the worker to register as waiting' });
    await own.queue<string>('jobs').enqueue('mine', { id: 'm' });
    expect(await first).toMatchObject({ id: 'm', payload: 'mine', attempt: 1 });

    // the same wait, fed by another process: that delivery is published on the wake channel
    const second = own.queue<string>('jobs').dequeue({ waitMs: 8_000 });
    await eventually(registered, { what: 'the worker to register again' });
    await other.queue<string>('jobs').enqueue('theirs', { id: 't' });
    expect(await second).toMatchObject({ id: 't', payload: 'theirs', attempt: 1 });
    await eventually(() => heard.length === 1, { what: 'the published delivery to be heard' });
    expect(heard).toHaveLength(1);
    expect(await own.queue('jobs').stats()).toEqual({ waiting: 0, active: 2, delayed: 0, dead: 0, deadDropped: 0 });
  });

  it('a registration whose channel nobody listens to any more is dropped, and the task is queued as usual', async () => {
    const prefix = uniquePrefix('unheard');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    const raw = r.raw(url);
    // a process that registered and then died without taking its registration back
    await raw.zadd(`${prefix}:{queue:jobs}:idle`, Date.now() + 60_000, `${prefix}:waiters:gone|30000`);
    await q.enqueueMany([
      { payload: 'a', id: 'a' },
      { payload: 'b', id: 'b' },
    ]);
    // PUBLISH reached nobody: the lease was taken back in the same step
    expect(await raw.zcard(`${prefix}:{queue:jobs}:idle`)).toBe(0);
    expect(await raw.hlen(`${prefix}:{queue:jobs}:leases`)).toBe(0);
    const leases = await q.dequeueMany(5);
    expect(leases.map((l) => [l.id, l.attempt])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(await Promise.all(leases.map((l) => q.complete(l)))).toEqual([true, true]);
    expect(await q.stats()).toEqual({ waiting: 0, active: 0, delayed: 0, dead: 0, deadDropped: 0 });
  });

  it('a delivery whose process died after hearing it is recovered when its lease expires, never run twice before', async () => {
    const prefix = uniquePrefix('died');
    const q = r.backend(url, { prefix }).queue<string>('jobs', { visibilityTimeoutMs: 300 });
    const raw = r.raw(url);
    const channel = `${prefix}:waiters:dying`;
    const dying = await listener(channel);
    await raw.zadd(`${prefix}:{queue:jobs}:idle`, Date.now() + 60_000, `${channel}|300`);
    await q.enqueue('work', { id: 'w' });
    await eventually(() => dying.heard.length === 1, { what: 'the delivery to be heard' });
    expect(dying.heard[0]).toMatch(new RegExp(`^${prefix}:\\{queue:jobs\\}:wait\\n\\{"baton":1,"lease":`));
    dying.client.disconnect();
    // leased to the process that heard it: nobody else gets it while the lease holds
    expect(await q.dequeueMany(5)).toEqual([]);
    await sleep(350);
    expect(await q.recoverStalled()).toBe(1);
    const again = (await q.dequeue())!;
    expect(again).toMatchObject({ id: 'w', attempt: 2 });
    expect(again.lastError).toContain('lease expired');
    expect(await q.complete(again)).toBe(true);
  });

  it('a delivery heard where nobody waits for it any more goes back to the wait list while its lease holds, and wakes the waiting workers', async () => {
    const prefix = uniquePrefix('return');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    const raw = r.raw(url);
    const key = (part: string): string => `${prefix}:{queue:jobs}:${part}`;
    const giveBack = (delivery: string): Promise<unknown> =>
      evalScript(raw, returnDelivery, { claimed: key('claimed'), wait: key('wait'), leases: key('leases') }, { delivery, dueChannel: key('due') });
    const channel = `${prefix}:waiters:left`;
    const left = await listener(channel);
    const due = await listener(key('due'));
    await raw.zadd(key('idle'), Date.now() + 60_000, `${channel}|30000`);
    await q.enqueue('kept', { id: 'k' });
    // the process heard it, but its local waiter had timed out in the meantime
    await eventually(() => left.heard.length === 1, { what: 'the delivery to be heard' });
    const delivery = left.heard[0]!.slice(left.heard[0]!.lastIndexOf('\n') + 1);
    expect(await giveBack(delivery)).toBe(1);
    await eventually(() => due.heard.includes('0'), { what: 'the due channel to announce a ready task' });
    const lease = (await q.dequeue())!;
    expect(lease).toMatchObject({ id: 'k', attempt: 1 });
    expect(await q.complete(lease)).toBe(true);
    // once its lease no longer holds, there is nothing to give back
    expect(await giveBack(delivery)).toBe(0);
    expect(await raw.llen(key('wait'))).toBe(0);
  });
});
