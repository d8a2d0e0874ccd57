import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QueueEvent } from '@baton/core';
import { eventually } from '../../../test/setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { Resources, uniquePrefix } from './helpers.js';

// Queue events ride on pub/sub, which keeps nothing for a subscriber that is not connected: after
// its connection comes back a watcher hears `reconnected`, and waitFor reads the outcome again, so
// a task that ended in the gap still resolves it. A private server: killing pub/sub connections
// would disturb the other test files on the shared one.

const available = inject('redisUrl') !== '';
const r = new Resources();
let server: RedisServerHandle;

/** Kills the connections in pub/sub mode (flag P); returns how many. */
async function killSubscribers(): Promise<number> {
  const admin = r.raw(server.url);
  const list = (await admin.client('LIST')) as string;
  const ids = list
    .split('\n')
    .filter((line) => / flags=\S*P/.test(line))
    .map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  return ids.length;
}

describe.skipIf(!available)(`redis queue events across a dropped subscription${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await r.closeAll();
    await server?.stop();
  });

  it('a task completed while the waiter was disconnected still resolves waitFor, after a reconnected event', async () => {
    const prefix = uniquePrefix('events-gap');
    const waiter = r.backend(server.url, { prefix }).queue<string>('jobs');
    const worker = r.backend(server.url, { prefix }).queue<string>('jobs');
    const events: QueueEvent[] = [];
    const watch = waiter.watch((e) => events.push(e));
    await watch.ready;
    await worker.enqueue('x', { id: 'x' });
    const lease = (await worker.dequeue())!;
    // far longer than the test may run: only the outcome ends it
    const waiting = waiter.waitFor('x', { timeoutMs: 60_000 });
    await eventually(() => events.some((e) => e.type === 'active'), { what: 'the watcher to hear the lease' });
    expect(await killSubscribers()).toBeGreaterThan(0);
    // published while the subscriber is down (it reconnects after a backoff of tens of ms)
    expect(await worker.complete(lease, { result: 'done' })).toBe(true);
    expect(await waiting).toEqual({ state: 'finished', result: 'done' });
    await eventually(() => events.some((e) => e.type === 'reconnected'), { what: 'the watcher to hear reconnected' });
    expect(events.find((e) => e.type === 'reconnected')).toMatchObject({ type: 'reconnected', queue: 'jobs' });
    // and it hears what happens afterwards
    await worker.enqueue('y', { id: 'y' });
    await eventually(() => events.some((e) => e.type === 'enqueued' && e.ids.includes('y')), { what: 'the watcher to hear the next enqueue' });
    watch();
  });

  it('the frequent events are published only while someone watches them; the rare ones always', async () => {
    const prefix = uniquePrefix('events-gate');
    const q = r.backend(server.url, { prefix }).queue('jobs', { maxAttempts: 1 });
    const heard: string[] = [];
    const listener = r.raw(server.url);
    listener.on('message', (_channel: string, message: string) => {
      for (const e of JSON.parse(message) as Array<{ type: string }>) heard.push(e.type);
    });
    await listener.subscribe(`${prefix}:{queue:jobs}:events`);
    const cycle = async (id: string): Promise<void> => {
      await q.enqueueMany([
        { payload: 1, id: `${id}-ok` },
        { payload: 2, id: `${id}-bad` },
      ]);
      const [ok, bad] = await q.dequeueMany(2);
      await q.complete(ok!);
      await q.fail(bad!, new Error('x'));
    };
    await cycle('unwatched');
    await eventually(() => heard.includes('dead'), { what: 'the dead event' });
    expect(heard).toEqual(['failed', 'dead']);
    heard.length = 0;
    const watch = r
      .backend(server.url, { prefix })
      .queue('jobs')
      .watch(() => undefined, { types: ['completed'] });
    await watch.ready;
    await cycle('watched');
    await eventually(() => heard.includes('dead'), { what: 'the dead event' });
    expect(heard).toEqual(['completed', 'failed', 'dead']);
    watch();
  });

  it('every node hears the events of a step in order, with results and progress parsed', async () => {
    const prefix = uniquePrefix('events-order');
    const watcher = r.backend(server.url, { prefix }).queue('jobs', { maxAttempts: 2 });
    const q = r.backend(server.url, { prefix }).queue('jobs', { maxAttempts: 2 });
    const events: QueueEvent[] = [];
    const watch = watcher.watch((e) => events.push(e), { types: ['enqueued', 'completed', 'failed', 'dead', 'progress'] });
    await watch.ready;
    await q.enqueueMany([
      { payload: 1, id: 'a' },
      { payload: 2, id: 'b' },
    ]);
    const [a, b] = await q.dequeueMany(2);
    await q.progress(a!, { step: [1, 2] });
    await q.complete(a!, { result: { ok: [] } });
    expect(await q.fail(b!, new Error('once'), { retryInMs: 0 })).toBe('retry');
    expect(await q.fail((await q.dequeue())!, new Error('twice'))).toBe('dead');
    await eventually(() => events.some((e) => e.type === 'dead'), { what: 'the dead event' });
    expect(events.map(({ at: _at, ...e }) => e)).toEqual([
      { type: 'enqueued', queue: 'jobs', ids: ['a', 'b'] },
      { type: 'progress', queue: 'jobs', id: 'a', progress: { step: [1, 2] } },
      { type: 'completed', queue: 'jobs', id: 'a', result: { ok: [] } },
      { type: 'failed', queue: 'jobs', id: 'b', attempt: 1, error: 'Error: once', willRetry: true },
      { type: 'failed', queue: 'jobs', id: 'b', attempt: 2, error: 'Error: twice', willRetry: false },
      { type: 'dead', queue: 'jobs', id: 'b', attempt: 2, error: 'Error: twice' },
    ]);
    watch();
  });
});
