import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '@baton/core';
import { contextOf, freshSchema, PgTestBed, postgresUrl, sleep, until } from './support.js';

describe.skipIf(postgresUrl === '')('postgres adapter: waiters and watchers over LISTEN/NOTIFY', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  it('a release skips a waiter whose process is gone and hands the lock to the next one at once', async () => {
    bed = new PgTestBed(freshSchema('deadwaiter'));
    const holder = await bed.backend().locks().acquire('r', { ttlMs: 30_000 });
    const sql = await bed.sql();
    // places whose LISTEN session is known (a place taken while it opens holds for a while anyway)
    const inLine = async (): Promise<number> =>
      (await sql.query(`SELECT count(*)::int AS n FROM "${bed.schema}".lock_waiters WHERE pid IS NOT NULL`)).rows[0].n;
    const crashing = bed.backend();
    const dead = crashing
      .locks()
      .acquire('r', { ttlMs: 30_000, waitMs: 30_000 })
      .catch(() => 'closed');
    expect(await until(async () => (await inLine()) === 1, 5_000)).toBe(true);
    const next = bed.backend().locks().acquire('r', { ttlMs: 30_000, waitMs: 3_000 });
    next.catch(() => undefined);
    expect(await until(async () => (await inLine()) === 2, 5_000)).toBe(true);
    // Closed while waiting: its place stays in line (nobody leaves it), but its session is gone.
    await crashing.close();
    expect(await dead).toBe('closed');
    expect(await inLine()).toBe(2);
    await holder.release();
    const lock = await next;
    expect(lock.fence).toBe(holder.fence + 1);
  });

  it('a waiter whose LISTEN connection broke finds a lock released meanwhile once it reconnects', async () => {
    bed = new PgTestBed(freshSchema('relisten'));
    const holder = await bed.backend().locks().acquire('r', { ttlMs: 30_000 });
    const waiterBackend = bed.backend();
    const waiting = waiterBackend.locks().acquire('r', { ttlMs: 5_000, waitMs: 10_000 });
    await until(() => contextOf(waiterBackend).listener.pid !== undefined, 2_000);
    const sql = await bed.sql();
    await sql.query('SELECT pg_terminate_backend($1)', [contextOf(waiterBackend).listener.pid]);
    await holder.release();
    const started = Date.now();
    const lock = await waiting;
    expect(lock.fence).toBe(holder.fence + 1);
    // woken by the reconnect (100 ms backoff), not by the holder's TTL or the wait running out
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a watcher whose LISTEN connection broke reports the joins and leaves it missed once it reconnects', async () => {
    bed = new PgTestBed(freshSchema('rewatch'));
    const watching = bed.backend();
    const registry = bed.backend().registry('g');
    const leaving = await registry.register({ id: 'leaving' }, { ttlMs: 10_000 });
    const events: string[] = [];
    watching.registry('g').watch((e: RegistryEvent) => events.push(`${e.type}:${e.node.id}`));
    await until(() => contextOf(watching).listener.pid !== undefined, 2_000);
    await sleep(200);
    const ctx = contextOf(watching);
    const pid = ctx.listener.pid;
    // Hold the reconnect back until both changes are made: each would otherwise arrive as a notification.
    const sql = await bed.sql();
    await sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await registry.register({ id: 'joining' }, { ttlMs: 10_000 });
    await leaving.deregister();
    expect(await until(() => events.includes('join:joining') && events.includes('leave:leaving'), 5_000)).toBe(true);
    expect(events.filter((e) => e === 'join:joining')).toHaveLength(1);
    expect(ctx.listener.pid).not.toBe(pid);
  });
});
