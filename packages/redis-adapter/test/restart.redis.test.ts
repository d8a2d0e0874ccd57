import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';
const r = new Resources();
let server: RedisServerHandle | undefined;

afterAll(async () => {
  await r.closeAll();
  await server?.stop();
});

describe.skipIf(!available)(`redis restart${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('blocked dequeues, lock waiters and heartbeats resume by themselves after redis-server restarts', async () => {
    server = await startRedisServer();
    const { url, port } = server;
    const prefix = uniquePrefix('restart');
    const worker = r.backend(url, { prefix });
    const other = r.backend(url, { prefix });
    const registry = worker.registry('nodes');
    await registry.register({ id: 'survivor' }, { ttlMs: 600 });
    const holder = await other.locks().acquire('res', { ttlMs: 30_000 });
    const dequeued = worker.queue<string>('jobs').dequeue({ waitMs: 10_000 });
    const locked = worker.locks().acquire('res', { waitMs: 10_000, ttlMs: 5_000 });
    await sleep(200);

    await server.stop();
    await sleep(100);
    server = await startRedisServer([], port);
    const restartedAt = Date.now();

    // the restarted server is empty: the held lock is gone, so the waiter gets it
    const lock = await locked;
    expect(lock.fence).toBe(1);
    expect(holder.fence).toBe(1);
    // the blocked dequeue is woken by work enqueued after the restart
    await other.queue<string>('jobs').enqueue('after restart', { id: 'late' });
    const lease = await dequeued;
    expect(lease?.id).toBe('late');
    // heartbeats bring the node back into the empty members set
    await eventually(async () => (await other.registry('nodes').list()).length > 0, {
      what: 'a heartbeat to list the node again',
      timeoutMs: 5_000,
      intervalMs: 50,
    });
    expect((await other.registry('nodes').list()).map((n) => n.id)).toEqual(['survivor']);
    expect(Date.now() - restartedAt).toBeLessThan(5_000);
    expect(await holder.release()).toBe(false);
    expect(await lock.release()).toBe(true);
  }, 20_000);
});
