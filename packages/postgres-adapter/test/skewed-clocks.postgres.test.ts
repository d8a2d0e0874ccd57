import { afterEach, describe, expect, it } from 'vitest';
import { SkewedClock } from '../../../test/setup/skewed-clock.js';
import { freshSchema, PgTestBed, postgresUrl, sleep } from './support.js';

const MINUTE = 60_000;

describe.skipIf(postgresUrl === '')('postgres adapter: expiries are judged by the database clock', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  it('a node whose clock runs a minute ahead cannot take a lock held by a node whose clock runs a minute behind', async () => {
    bed = new PgTestBed(freshSchema('skewlock'));
    const behind = bed.backend({ clock: new SkewedClock(-MINUTE) });
    const ahead = bed.backend({ clock: new SkewedClock(MINUTE) });
    const held = await behind.locks().acquire('r', { ttlMs: 2_000 });
    expect(await ahead.locks().tryAcquire('r')).toBeNull();
    await sleep(200);
    expect(await ahead.locks().tryAcquire('r')).toBeNull();
    expect(await held.extend()).toBe(true);
    expect(held.signal.aborted).toBe(false);
    expect(await held.release()).toBe(true);
    expect(await ahead.locks().tryAcquire('r')).not.toBeNull();
  });

  it('a lock handed to a waiter whose clock runs ahead is held for its TTL, not lost at once', async () => {
    bed = new PgTestBed(freshSchema('skewahead'));
    const holder = await bed.backend().locks().acquire('r', { ttlMs: 5_000 });
    const waiting = bed
      .backend({ clock: new SkewedClock(MINUTE) })
      .locks()
      .acquire('r', { ttlMs: 1_500, waitMs: 5_000 });
    await sleep(150);
    await holder.release();
    const lock = await waiting;
    await sleep(300);
    expect(lock.signal.aborted).toBe(false);
    expect(await lock.release()).toBe(true);
  });

  it("a lock handed to a waiter whose clock runs behind is given up locally no later than the database's expiry", async () => {
    bed = new PgTestBed(freshSchema('skewbehind'));
    const holder = await bed.backend().locks().acquire('r', { ttlMs: 5_000 });
    const waiting = bed
      .backend({ clock: new SkewedClock(-MINUTE) })
      .locks()
      .acquire('r', { ttlMs: 300, waitMs: 5_000 });
    await sleep(150);
    await holder.release();
    const lock = await waiting;
    await sleep(450);
    expect(lock.signal.aborted).toBe(true);
    expect(await bed.backend().locks().tryAcquire('r')).not.toBeNull();
  });

  it('a registered node whose clock runs behind stays listed by a node whose clock runs ahead', async () => {
    bed = new PgTestBed(freshSchema('skewnodes'));
    await bed
      .backend({ clock: new SkewedClock(-MINUTE) })
      .registry('g')
      .register({ id: 'slow-clock' }, { ttlMs: 600 });
    const observer = bed.backend({ clock: new SkewedClock(MINUTE) }).registry('g');
    for (let i = 0; i < 3; i++) {
      expect((await observer.list()).map((n) => n.id)).toEqual(['slow-clock']);
      await sleep(300);
    }
  });
});
