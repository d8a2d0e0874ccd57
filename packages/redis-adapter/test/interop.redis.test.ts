import { afterEach, describe, expect, inject, it } from 'vitest';
import { Resources, sleep, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

/** Picks fresh recipe key names per test so runs never see each other's data. */
function recipeKeys(): { tasks: string; finished: string; nodes: string; lock: string } {
  const tag = uniquePrefix('recipe');
  return { tasks: `${tag}:tasks`, finished: `${tag}:finished_tasks`, nodes: `${tag}:nodes`, lock: `${tag}:my_lock` };
}

describe.skipIf(url === '')(`redis interop with the classic recipe${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a raw LPUSH reaches a waiting Baton worker within wakeSweepMs, which gets the string as id and payload; SISMEMBER sees its completion', async () => {
    const names = recipeKeys();
    const raw = r.raw(url);
    // nothing announces a raw push: the waiting safety net finds it, once per wakeSweepMs
    const q = r
      .backend(url, { prefix: uniquePrefix('interop'), wakeSweepMs: 300 })
      .queue<string>('tasks', { keys: { waiting: names.tasks, finished: names.finished } });
    const started = Date.now();
    const pending = q.dequeue({ waitMs: 5_000 });
    await sleep(100);
    await raw.lpush(names.tasks, 'task1');
    const lease = await pending;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lease).toMatchObject({ id: 'task1', payload: 'task1', attempt: 1 });
    expect(await raw.sismember(names.finished, 'task1')).toBe(0);
    expect(await q.complete(lease!)).toBe(true);
    expect(await raw.sismember(names.finished, 'task1')).toBe(1);
    expect(await raw.llen(names.tasks)).toBe(0);
    // a blocked worker parks the element next to the bound list, in the same slot
    expect(await raw.exists(`{${names.tasks}}:claimed`)).toBe(0);
  });

  it('a task the recipe already marked finished (SADD finished_tasks) is skipped, and raw tasks keep FIFO order', async () => {
    const names = recipeKeys();
    const raw = r.raw(url);
    const q = r.backend(url, { prefix: uniquePrefix('interop') }).queue<string>('tasks', { keys: { waiting: names.tasks, finished: names.finished } });
    await raw.sadd(names.finished, 'task2');
    await raw.lpush(names.tasks, 'task1', 'task2', 'task3');
    expect(await q.isFinished('task2')).toBe(true);
    expect((await q.dequeueMany(10)).map((l) => l.id)).toEqual(['task1', 'task3']);
    expect((await q.enqueue('again', { id: 'task2' })).status).toBe('finished');
  });

  it('Baton-enqueued tasks and raw ones share the list; a recipe worker can RPOP what Baton enqueued', async () => {
    const names = recipeKeys();
    const raw = r.raw(url);
    const q = r.backend(url, { prefix: uniquePrefix('interop') }).queue<{ n: number }>('tasks', { keys: { waiting: names.tasks, finished: names.finished } });
    await q.enqueue({ n: 1 }, { id: 'b1' });
    const element = await raw.rpop(names.tasks);
    expect(JSON.parse(element!)).toMatchObject({ baton: 1, id: 'b1', payload: '{"n":1}' });
  });

  it('a recipe lock client sees the Baton token in the lock key, and its compare-and-DEL frees the lock for Baton waiters', async () => {
    const names = recipeKeys();
    const raw = r.raw(url);
    const locks = r.backend(url, { prefix: uniquePrefix('interop') }).locks({ keys: { lock: () => names.lock } });
    const held = (await locks.tryAcquire('my_lock', { ttlMs: 10_000 }))!;
    // the recipe: GET and compare before deleting; a foreign token must not delete
    expect(await raw.get(names.lock)).toBe(held.token);
    expect(await raw.set(names.lock, 'recipe-token', 'PX', 10_000, 'NX')).toBeNull();
    await held.release();
    expect(await raw.set(names.lock, 'recipe-token', 'PX', 10_000, 'NX')).toBe('OK');
    expect(await locks.tryAcquire('my_lock')).toBeNull();
    const started = Date.now();
    const waiting = locks.acquire('my_lock', { waitMs: 5_000, ttlMs: 5_000 });
    await sleep(50);
    if ((await raw.get(names.lock)) === 'recipe-token') await raw.del(names.lock);
    const lock = await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lock.fence).toBeGreaterThan(held.fence);
    expect(await raw.get(names.lock)).toBe(lock.token);
    await lock.release();
  });

  it('a registry bound to the recipe set shows Baton nodes in SMEMBERS, and leaves members it never registered alone', async () => {
    const names = recipeKeys();
    const raw = r.raw(url);
    await raw.sadd(names.nodes, 'Node-legacy');
    const registry = r.backend(url, { prefix: uniquePrefix('interop') }).registry('nodes', { keys: { members: names.nodes } });
    const reg = await registry.register({ id: 'Node-01' }, { ttlMs: 5_000 });
    expect((await raw.smembers(names.nodes)).sort()).toEqual(['Node-01', 'Node-legacy']);
    expect((await registry.list()).map((n) => n.id)).toEqual(['Node-01']);
    await reg.deregister();
    expect(await raw.smembers(names.nodes)).toEqual(['Node-legacy']);
  });
});
