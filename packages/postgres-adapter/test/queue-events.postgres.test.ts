import { afterEach, describe, expect, it } from 'vitest';
import type { QueueEvent } from '@baton/core';
import { channelName } from '../src/schema/identifiers.js';
import { freshSchema, PgTestBed, postgresUrl, sleep, until } from './support.js';

/**
 * Queue events travel by NOTIFY, whose payload PostgreSQL limits to 8000 bytes: larger id lists
 * travel in parts joined by the receiver, larger values are read back from the task's row.
 */
describe.skipIf(postgresUrl === '')('postgres adapter: queue events', () => {
  let bed: PgTestBed;
  afterEach(async () => {
    await bed.close();
  });

  it('an enqueue of 2,000 ids reaches a watcher on another node as one enqueued event, every notification within 8000 bytes', async () => {
    bed = new PgTestBed(freshSchema('ev_parts'));
    const watched = bed.backend().queue('q');
    const events: QueueEvent[] = [];
    const subscription = watched.watch((event) => events.push(event), { types: ['enqueued', 'active'] });
    await subscription.ready;
    const raw = await bed.sql();
    const sizes: number[] = [];
    raw.on('notification', (n) => sizes.push(Buffer.byteLength(n.payload ?? '')));
    await raw.query(`LISTEN "${channelName(bed.schema, 'events', 'q')}"`);
    const ids = Array.from({ length: 2_000 }, (_, i) => `task-with-a-longish-id-${i}`);
    await bed
      .backend()
      .queue('q')
      .enqueueMany(ids.map((id) => ({ payload: 1, id })));
    await bed.backend().queue('q').dequeueMany(1_500);
    expect(await until(() => events.length >= 2, 5_000)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['enqueued', 'active']);
    expect((events[0] as { ids: string[] }).ids).toEqual(ids);
    expect((events[1] as { ids: string[] }).ids).toEqual(ids.slice(0, 1_500));
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8_000);
    subscription();
  });

  it('a result and a progress value past the notification limit reach watchers and waitFor whole, read from the row', async () => {
    bed = new PgTestBed(freshSchema('ev_big'));
    const q = bed.backend().queue<string>('q');
    const events: QueueEvent[] = [];
    const subscription = bed
      .backend()
      .queue('q')
      .watch((event) => events.push(event), { types: ['progress', 'completed'] });
    await subscription.ready;
    const big = { text: 'é'.repeat(20_000) };
    await q.enqueue('x', { id: 'big' });
    const waiting = bed.backend().queue('q').waitFor('big', { timeoutMs: 10_000 });
    const lease = (await q.dequeue())!;
    expect(await q.progress(lease, big)).toBe(true);
    expect(await until(() => events.length === 1, 5_000)).toBe(true);
    expect(await q.complete(lease, { result: big })).toBe(true);
    expect(await waiting).toEqual({ state: 'finished', result: big });
    expect(await until(() => events.length === 2, 5_000)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['progress', 'completed']);
    expect((events[0] as { progress: unknown }).progress).toEqual(big);
    expect((events[1] as { result: unknown }).result).toEqual(big);
    subscription();
  });

  it('statements send no event notification while nobody watches the queue', async () => {
    bed = new PgTestBed(freshSchema('ev_quiet'));
    const raw = await bed.sql();
    const heard: string[] = [];
    raw.on('notification', (n) => heard.push(n.payload ?? ''));
    await raw.query(`LISTEN "${channelName(bed.schema, 'events', 'q')}"`);
    const q = bed.backend().queue<number>('q');
    await q.enqueueMany([
      { payload: 1, id: 'a' },
      { payload: 2, id: 'b' },
    ]);
    await q.complete((await q.dequeue())!, { result: 1 });
    await q.cancel('b');
    await sleep(200);
    expect(heard).toEqual([]);
    const subscription = q.watch(() => undefined, { types: ['enqueued'] });
    await subscription.ready;
    await q.enqueue(3, { id: 'c' });
    expect(await until(() => heard.length === 1, 3_000)).toBe(true);
    subscription();
  });
});
