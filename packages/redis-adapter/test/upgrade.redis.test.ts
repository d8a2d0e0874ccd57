import { isBatonError } from '@baton/core';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import type { RedisBackend } from '../src/index.js';
import { GEN1, GEN1_RUNNABLE, writeFirstGenerationQueue } from './fixtures/first-generation-queue.js';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

/** Every key under `prefix` with its type and DUMP, to show that a step changed nothing. */
async function snapshot(client: Redis, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) out[key] = `${await client.type(key)} ${(await client.dumpBuffer(key))?.toString('hex') ?? ''}`;
  } while (cursor !== '0');
  return out;
}

/** Leases and completes everything the queue hands out, recovering expired leases first, until `want` ids were run. */
async function drain(backend: RedisBackend, name: string, want: number): Promise<string[]> {
  const q = backend.queue(name);
  const ran: string[] = [];
  await eventually(
    async () => {
      await q.recoverStalled();
      for (;;) {
        const leases = await q.dequeueMany(10);
        if (leases.length === 0) break;
        for (const lease of leases) {
          ran.push(lease.id);
          expect(await q.complete(lease)).toBe(true);
        }
      }
      expect(ran.length, ran.join(',')).toBeGreaterThanOrEqual(want);
    },
    { what: `${want} tasks to run`, timeoutMs: 15_000, intervalMs: 100 },
  );
  return ran;
}

describe.skipIf(url === '')(`upgrading a first-generation queue${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('the current version meets a first-generation queue with an error that names baton migrate', async () => {
    const prefix = uniquePrefix('gen1');
    await writeFirstGenerationQueue(r.raw(url), prefix, 'emails');
    const q = r.backend(url, { prefix }).queue('emails');
    for (const step of [() => q.enqueue({ n: 1 }, { id: 'new-1' }), () => q.get('w1'), () => q.dequeue()]) {
      const error = await step().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isBatonError(error, 'BACKEND_DATA'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/holds a set written by an earlier version of Baton .*run `baton migrate`/);
    }
  });

  it('upgradeQueues finds the queue by SCAN, converts it, and every task runs exactly once; dead, cancelled and finished ids keep their meaning', async () => {
    const prefix = uniquePrefix('gen1');
    const raw = r.raw(url);
    await writeFirstGenerationQueue(raw, prefix, 'emails', 1_500);
    const backend = r.backend(url, { prefix });
    expect(await backend.queues()).toEqual([]); // the first generation never wrote the queues set

    expect(await backend.upgradeQueues()).toEqual([
      { queue: 'emails', upgraded: true, waiting: 6, delayed: 2, active: 3, dead: 2, cancelled: 1, unplaced: 0, idleDropped: 1 },
    ]);
    const b = `${prefix}:{queue:emails}`;
    expect(await raw.type(`${b}:ids`)).toBe('hash');
    expect(await raw.type(`${b}:dead-ids`)).toBe('zset');
    expect(await raw.zcard(`${b}:idle`)).toBe(0);
    expect(await backend.queues()).toEqual(['emails']);

    const q = backend.queue<{ id: string }>('emails');
    expect(await q.get('w2')).toMatchObject({ state: 'waiting', payload: { id: 'w2' }, attempt: 0 });
    expect(await q.get('c1')).toMatchObject({ state: 'waiting' });
    expect(await q.get('p5')).toMatchObject({ state: 'waiting', priority: 5 });
    expect(await q.get('d-late')).toMatchObject({ state: 'delayed' });
    expect(await q.get('l-live')).toMatchObject({ state: 'active', attempt: 1 });
    expect(await q.get('x1')).toMatchObject({ state: 'dead', lastError: 'boom x1' });
    expect(await q.get('k1')).toMatchObject({ state: 'cancelled', reason: 'no longer needed' });
    expect(await q.get('f1')).toMatchObject({ state: 'finished' });
    // the ids keep answering what they answered before the upgrade
    expect((await q.enqueue({ id: 'w1' }, { id: 'w1' })).status).toBe('duplicate');
    expect((await q.enqueue({ id: 'l-live' }, { id: 'l-live' })).status).toBe('duplicate');
    expect((await q.enqueue({ id: 'k1' }, { id: 'k1' })).status).toBe('cancelled');
    expect((await q.enqueue({ id: 'f1' }, { id: 'f1' })).status).toBe('finished');
    expect((await q.deadLetters()).map((t) => t.id)).toEqual([...GEN1.dead]);
    expect((await q.list('dead')).tasks.map((t) => t.id)).toEqual([...GEN1.dead]);
    // the kept lease is not handed out again while it holds
    expect((await q.dequeueMany(100)).map((l) => l.id)).not.toContain('l-live');
  }, 30_000);

  it('after the upgrade the current adapter leases and completes every waiting, delayed, leased and dead task once, losing none', async () => {
    const prefix = uniquePrefix('gen1');
    await writeFirstGenerationQueue(r.raw(url), prefix, 'emails', 1_500);
    const backend = r.backend(url, { prefix });
    await backend.upgradeQueues();
    const q = backend.queue('emails');
    expect(await q.retryDead({ all: true })).toBe(GEN1.dead.length);
    const want = GEN1_RUNNABLE.length + GEN1.dead.length;
    const ran = await drain(backend, 'emails', want);
    expect([...ran].sort()).toEqual([...GEN1_RUNNABLE, ...GEN1.dead].sort());
    expect(await q.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0 });
    for (const id of ran) expect(await q.isFinished(id), id).toBe(true);
    expect(await q.get('k1')).toMatchObject({ state: 'cancelled' });
  }, 30_000);

  it('leases a failed lease call of the current version left on the old layout wait again after the upgrade, and every task runs once', async () => {
    const prefix = uniquePrefix('gen1');
    const raw = r.raw(url);
    await writeFirstGenerationQueue(raw, prefix, 'emails', 1_500);
    const backend = r.backend(url, { prefix });
    const q = backend.queue('emails');
    // a lease call and a recovery of this version on the old layout: scripts are not rolled back, so
    // whatever they wrote before the wrong-type error stays
    for (const step of [() => q.dequeueMany(5), () => q.recoverStalled(), () => q.dequeueMany(5)]) {
      await expect(step()).rejects.toMatchObject({ code: 'BACKEND_DATA' });
    }
    // the current version's lease records carry "skew"; their caller got an error, not the token
    const orphaned = (await raw.hvals(`${prefix}:{queue:emails}:leases`)).filter((record) => record.includes('"skew":'));
    expect(orphaned.length).toBeGreaterThan(0);
    expect((await backend.upgradeQueues())[0]).toMatchObject({ queue: 'emails', upgraded: true, unplaced: 0 });
    expect((await raw.hvals(`${prefix}:{queue:emails}:leases`)).filter((record) => record.includes('"skew":'))).toEqual([]);
    expect(await q.retryDead({ all: true })).toBe(GEN1.dead.length);
    const ran = await drain(backend, 'emails', GEN1_RUNNABLE.length + GEN1.dead.length);
    expect([...ran].sort()).toEqual([...GEN1_RUNNABLE, ...GEN1.dead].sort());
  }, 30_000);

  it('a second upgrade, a dry run and an upgrade of a current queue change nothing', async () => {
    const prefix = uniquePrefix('gen1');
    const raw = r.raw(url);
    await writeFirstGenerationQueue(raw, prefix, 'emails');
    const backend = r.backend(url, { prefix });
    const current = backend.queue('current');
    await current.enqueueMany([
      { payload: 1, id: 'a' },
      { payload: 2, id: 'b', delayMs: 60_000 },
      { payload: 3, id: 'c' },
    ]);
    const lease = await current.dequeue();
    await current.fail((await current.dequeue())!, new Error('no'), { retryInMs: 0 });
    expect(lease).not.toBeNull();

    const before = await snapshot(raw, prefix);
    const dry = await backend.upgradeQueues({ dryRun: true });
    expect(dry).toEqual([{ queue: 'emails', upgraded: true, waiting: 6, delayed: 2, active: 3, dead: 2, cancelled: 1, unplaced: 0, idleDropped: 1 }]);
    expect(await snapshot(raw, prefix)).toEqual(before);

    expect((await backend.upgradeQueues()).map((u) => u.upgraded)).toEqual([true]);
    const upgraded = await snapshot(raw, prefix);
    expect(upgraded).not.toEqual(before);
    // found by SCAN no more, and named explicitly: nothing to do, nothing changed
    expect(await backend.upgradeQueues()).toEqual([]);
    const again = await backend.upgradeQueues({ queues: ['emails', 'current'] });
    expect(again.map((u) => [u.queue, u.upgraded])).toEqual([
      ['emails', false],
      ['current', false],
    ]);
    expect(await snapshot(raw, prefix)).toEqual(upgraded);
  });

  it('bad options are refused with INVALID_ARGUMENT before anything is read', async () => {
    const backend = r.backend(url, { prefix: uniquePrefix('gen1') });
    for (const options of [{ dryRun: 'yes' }, { queues: 'emails' }, { queues: [''] }, 'all']) {
      await expect(backend.upgradeQueues(options as never), JSON.stringify(options)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});
