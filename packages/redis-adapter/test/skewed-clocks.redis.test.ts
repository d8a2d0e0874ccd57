// Nodes whose clocks disagree by a minute each way. Every expiry, due time or place in line that
// two nodes compare (leases, recovery, delayed tasks, finished-id retention, lock places, node
// liveness) is judged by the server's clock (TIME in the scripts, PX on keys), so a node's wrong
// clock moves none of them; the caller's clock only drives its own local timers.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KeyLayout } from '../src/key-layout.js';
import { eventually } from '../../../test/setup/eventually.js';
import { Resources, SkewedClock, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();
const MINUTE = 60_000;

describe.skipIf(url === '')(`redis: expiries are judged by the server clock${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a lock waiter whose clock runs a minute behind keeps its place in line: it is served before a later waiter', async () => {
    const prefix = uniquePrefix('skew-line');
    const raw = r.raw(url);
    const waiters = new KeyLayout(prefix).lock('r').waiters;
    const holder = await r.backend(url, { prefix }).locks().acquire('r', { ttlMs: 10_000 });
    const behind = r
      .backend(url, { prefix, clock: new SkewedClock(-MINUTE) })
      .locks()
      .acquire('r', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(waiters)) === 1, { what: 'the waiter whose clock runs behind is in line', intervalMs: 10 });
    const later = r.backend(url, { prefix }).locks().acquire('r', { ttlMs: 10_000, waitMs: 5_000 });
    await eventually(async () => (await raw.llen(waiters)) === 2, { what: 'the later waiter is in line', intervalMs: 10 });
    await holder.release();
    const first = await behind;
    expect(first.fence).toBe(holder.fence + 1);
    await first.release();
    expect((await later).fence).toBe(holder.fence + 2);
  });

  it('a node whose clock runs a minute ahead cannot take a lock held by a node whose clock runs a minute behind', async () => {
    const prefix = uniquePrefix('skew-lock');
    const held = await r
      .backend(url, { prefix, clock: new SkewedClock(-MINUTE) })
      .locks()
      .acquire('r', { ttlMs: 2_000 });
    const ahead = r.backend(url, { prefix, clock: new SkewedClock(MINUTE) }).locks();
    expect(await ahead.tryAcquire('r')).toBeNull();
    expect(await held.extend()).toBe(true);
    expect(held.signal.aborted).toBe(false);
    expect(await held.release()).toBe(true);
    expect(await ahead.tryAcquire('r')).not.toBeNull();
  });

  it('a registered node whose clock runs a minute behind stays listed by a node whose clock runs a minute ahead', async () => {
    const prefix = uniquePrefix('skew-nodes');
    await r
      .backend(url, { prefix, clock: new SkewedClock(-MINUTE) })
      .registry('g')
      .register({ id: 'slow-clock' }, { ttlMs: 600 });
    const observer = r.backend(url, { prefix, clock: new SkewedClock(MINUTE) }).registry('g');
    for (let i = 0; i < 3; i++) {
      expect((await observer.list()).map((n) => n.id)).toEqual(['slow-clock']);
      await sleep(300);
    }
  });
  it('a node whose clock runs a minute ahead does not recover a live lease taken by a node whose clock runs a minute behind', async () => {
    const prefix = uniquePrefix('skew-lease');
    const options = { visibilityTimeoutMs: 5_000 };
    const behind = r.backend(url, { prefix, clock: new SkewedClock(-MINUTE) }).queue('jobs', options);
    const ahead = r.backend(url, { prefix, clock: new SkewedClock(MINUTE) }).queue('jobs', options);
    await ahead.enqueue('work', { id: 't1' });
    const lease = await behind.dequeue();
    expect(lease?.id).toBe('t1');
    expect(await ahead.recoverStalled()).toBe(0);
    expect(await ahead.stats()).toMatchObject({ waiting: 0, active: 1 });
    expect(await behind.complete(lease!)).toBe(true);
  });

  it('a delayed task is not handed out early to a node whose clock runs a minute ahead, nor late to one a minute behind', async () => {
    const prefix = uniquePrefix('skew-delay');
    const producer = r.backend(url, { prefix }).queue('jobs');
    const ahead = r.backend(url, { prefix, clock: new SkewedClock(MINUTE) }).queue('jobs');
    const behind = r.backend(url, { prefix, clock: new SkewedClock(-MINUTE) }).queue('jobs');
    await producer.enqueue('later', { id: 'd1', delayMs: 400 });
    expect(await ahead.dequeue()).toBeNull();
    await sleep(500);
    expect((await behind.dequeue())?.id).toBe('d1');
  });

  it('a finished id is not forgotten early by a node whose clock runs a minute ahead', async () => {
    const prefix = uniquePrefix('skew-finished');
    const options = { retainFinishedMs: 10_000 };
    const worker = r.backend(url, { prefix, clock: new SkewedClock(-MINUTE) }).queue('jobs', options);
    const ahead = r.backend(url, { prefix, clock: new SkewedClock(MINUTE) }).queue('jobs', options);
    await worker.enqueue('once', { id: 'f1' });
    expect(await worker.complete((await worker.dequeue())!)).toBe(true);
    expect(await ahead.isFinished('f1')).toBe(true);
    expect((await ahead.enqueue('again', { id: 'f1' })).status).toBe('finished');
  });
});
