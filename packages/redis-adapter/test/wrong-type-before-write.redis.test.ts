import { BackendDataError } from '@baton/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

// The enqueue and complete scripts check the bound finished set's type with their first command on
// it instead of a TYPE on every call: a wrong type must still fail before anything is written.
describe.skipIf(url === '')(`redis finished set of the wrong type${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a completion fails with BackendDataError naming the type, and the lease is still held', async () => {
    const raw = r.raw(url);
    const tag = uniquePrefix('finished-type');
    const backend = r.backend(url, { prefix: tag });
    const queue = backend.queue<string>('q', { keys: { finished: `${tag}:done` } });
    await queue.enqueue('payload', { id: 't1' });
    const lease = await queue.dequeue();
    expect(lease?.id).toBe('t1');
    await raw.hset(`${tag}:done`, 'f', '1');
    await expect(queue.complete(lease!)).rejects.toThrow(/"[^"]+:done" holds a hash, but Baton expects a set/);
    await expect(queue.complete(lease!)).rejects.toBeInstanceOf(BackendDataError);
    expect((await queue.stats()).active).toBe(1);
    await raw.del(`${tag}:done`);
    expect(await queue.complete(lease!)).toBe(true);
    expect(await raw.sismember(`${tag}:done`, 't1')).toBe(1);
  });

  it('an enqueue fails before claiming the id, so the id can be enqueued once the key is fixed', async () => {
    const raw = r.raw(url);
    const tag = uniquePrefix('finished-type');
    const backend = r.backend(url, { prefix: tag });
    const queue = backend.queue<string>('q', { keys: { finished: `${tag}:done` } });
    await raw.hset(`${tag}:done`, 'f', '1');
    await expect(queue.enqueue('payload', { id: 't1' })).rejects.toThrow(/"[^"]+:done" holds a hash, but Baton expects a set/);
    await raw.del(`${tag}:done`);
    expect((await queue.enqueue('payload', { id: 't1' })).status).toBe('queued');
    expect((await queue.stats()).waiting).toBe(1);
  });
});
