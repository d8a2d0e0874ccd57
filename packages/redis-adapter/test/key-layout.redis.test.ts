import { afterEach, describe, expect, inject, it } from 'vitest';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

describe.skipIf(url === '')(`redis key layout${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a queue keeps its state under <prefix>:{queue:<name>}:<part>, one hash tag for all parts; its name is in <prefix>:{queues}', async () => {
    const prefix = uniquePrefix('layout');
    const q = r.backend(url, { prefix }).queue<string>('emails', { maxAttempts: 1 });
    const raw = r.raw(url);
    await q.enqueueMany([
      { payload: 'a', id: 'a' },
      { payload: 'b', id: 'b' },
      { payload: 'c', id: 'c', delayMs: 60_000 },
      { payload: 'd', id: 'd' },
    ]);
    const [first, second] = await q.dequeueMany(2);
    await q.complete(first!);
    await q.fail(second!, new Error('boom'));
    await q.dequeue();
    const keys = (await raw.keys(`${prefix}:*`)).sort();
    const base = `${prefix}:{queue:emails}`;
    expect(keys).toEqual(
      [
        `${prefix}:{queues}`,
        `${base}:active`,
        `${base}:dead`,
        `${base}:dead-ids`,
        `${base}:delayed`,
        `${base}:finished`,
        `${base}:finished-at`,
        `${base}:ids`,
        `${base}:leases`,
      ].sort(),
    );
    expect(await raw.type(`${base}:finished`)).toBe('set');
    expect(await raw.type(`${base}:finished-at`)).toBe('zset');
    expect(await raw.sismember(`${base}:finished`, 'a')).toBe(1);
    expect(await raw.zscore(`${base}:active`, 'd')).not.toBeNull();
    expect(await raw.smembers(`${prefix}:{queues}`)).toEqual(['emails']);
    // ids: every queued id -> its stored envelope ('' while leased); the dead letter for a dead id
    expect(await raw.type(`${base}:ids`)).toBe('hash');
    expect(await raw.type(`${base}:dead-ids`)).toBe('zset');
    expect(await raw.hget(`${base}:ids`, 'c')).toBe((await raw.zrangebyscore(`${base}:delayed`, '-inf', '+inf'))[0]);
    expect(await raw.hget(`${base}:ids`, 'd')).toBe('');
    const [envelope] = await raw.lrange(`${base}:dead`, 0, -1);
    expect(await raw.hget(`${base}:ids`, 'b')).toBe(envelope);
    expect(JSON.parse(envelope!)).toMatchObject({ baton: 1, id: 'b', payload: '"b"', attempt: 1, lastError: 'Error: boom' });
  });

  it('a waiting task is a JSON envelope in the wait list; the payload is carried as JSON text', async () => {
    const prefix = uniquePrefix('envelope');
    const q = r.backend(url, { prefix }).queue('mail');
    await q.enqueue({ to: 'x@example.com', n: 0.1 }, { id: 'm1' });
    const [element] = await r.raw(url).lrange(`${prefix}:{queue:mail}:wait`, 0, -1);
    expect(element!.startsWith('{"baton":1,')).toBe(true);
    expect(JSON.parse(element!)).toMatchObject({ id: 'm1', payload: '{"to":"x@example.com","n":0.1}', attempt: 0 });
  });

  it('a registry keeps a members set and one node key with a TTL per node', async () => {
    const prefix = uniquePrefix('layout-reg');
    const reg = await r
      .backend(url, { prefix })
      .registry('workers')
      .register({ id: 'n1', meta: { role: 'api' } }, { ttlMs: 5_000 });
    const raw = r.raw(url);
    const base = `${prefix}:{registry:workers}`;
    expect(await raw.smembers(`${base}:members`)).toEqual(['n1']);
    const ttl = await raw.pttl(`${base}:node:n1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(JSON.parse((await raw.get(`${base}:node:n1`))!)).toMatchObject({ id: 'n1', meta: { role: 'api' } });
    await reg.deregister();
    expect(await raw.exists(`${base}:node:n1`)).toBe(0);
  });

  it('a lock key holds the plain token with a TTL, next to its fence counter', async () => {
    const prefix = uniquePrefix('layout-lock');
    const lock = (await r.backend(url, { prefix }).locks().tryAcquire('orders', { ttlMs: 5_000 }))!;
    const raw = r.raw(url);
    expect(await raw.get(`${prefix}:{lock:orders}:lock`)).toBe(lock.token);
    expect(await raw.pttl(`${prefix}:{lock:orders}:lock`)).toBeGreaterThan(0);
    expect(Number(await raw.get(`${prefix}:{lock:orders}:fence`))).toBe(lock.fence);
    await lock.release();
    expect(await raw.exists(`${prefix}:{lock:orders}:lock`)).toBe(0);
  });
});
