import { afterEach, describe, expect, inject, it } from 'vitest';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

// The runner sends script calls as EVALSHA it writes out itself; a server that lost its scripts
// answers NOSCRIPT, and the call must then load the script and still run, once.
describe.skipIf(url === '')(`redis script runner${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('after the server lost its scripts (SCRIPT FLUSH), the next calls load them again and run once each', async () => {
    const prefix = uniquePrefix('noscript');
    const backend = r.backend(url, { prefix });
    const q = backend.queue<number>('jobs');
    const locks = backend.locks();
    expect((await q.enqueue(1, { id: 'a' })).status).toBe('queued');
    await (await locks.acquire('res')).release();
    const raw = r.raw(url);
    await raw.script('FLUSH');
    expect((await q.enqueue(2, { id: 'b' })).status).toBe('queued');
    expect((await q.enqueue(2, { id: 'b' })).status).toBe('duplicate');
    const lock = await locks.acquire('res');
    expect(await locks.tryAcquire('res')).toBeNull();
    expect(await lock.release()).toBe(true);
    expect(await raw.llen(`${prefix}:{queue:jobs}:wait`)).toBe(2);
    expect((await q.stats()).waiting).toBe(2);
  });
});
