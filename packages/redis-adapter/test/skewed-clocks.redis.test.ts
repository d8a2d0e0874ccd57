// Nodes whose clocks disagree by a minute each way. Every expiry or place in line that two nodes
// compare is judged by the server's clock (TIME in the scripts, PX/EX on keys), so a node's wrong
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
});
