import { BackendDataError, BackendUnavailableError } from '@baton/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../test/setup/redis-server.js';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();

describe('redis connection failures', () => {
  afterEach(() => r.closeAll());

  it('a refused connection fails the first operation fast with BackendUnavailableError naming the address', async () => {
    const port = await freePort();
    const backend = r.backend(`redis://127.0.0.1:${port}`, { prefix: uniquePrefix('refused') });
    const started = Date.now();
    const error = await backend
      .queue('q')
      .enqueue('x')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(2_000);
    // later calls fail too (no hang), for locks and registries alike
    await expect(backend.locks().tryAcquire('r')).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(backend.registry('g').list()).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it('a server that never answers fails within connectTimeoutMs', async () => {
    // a listening socket that accepts and never replies: connect succeeds, the handshake never completes
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const backend = r.backend(`redis://127.0.0.1:${port}`, { prefix: uniquePrefix('silent'), connectTimeoutMs: 300 });
      const started = Date.now();
      const error = await backend
        .queue('q')
        .stats()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await r.closeAll();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe.skipIf(url === '')(`redis data errors${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('a bound key of the wrong type gives BackendDataError naming the key, and nothing is lost', async () => {
    const raw = r.raw(url);
    const tag = uniquePrefix('wrongtype');
    await raw.set(`${tag}:tasks`, 'a string, not a list');
    await raw.hset(`${tag}:finished`, 'f', '1');
    const backend = r.backend(url, { prefix: tag });
    const badWait = backend.queue('a', { keys: { waiting: `${tag}:tasks` } });
    const error = await badWait.enqueue('x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendDataError);
    expect((error as BackendDataError).code).toBe('BACKEND_DATA');
    expect((error as Error).message).toContain(`"${tag}:tasks" holds a string`);
    await expect(badWait.dequeue()).rejects.toThrow(/holds a string, but Baton expects a list/);
    const badFinished = backend.queue('b', { keys: { finished: `${tag}:finished` } });
    await expect(badFinished.enqueue('x')).rejects.toThrow(/"[^"]+:finished" holds a hash, but Baton expects a set/);
    expect(await raw.get(`${tag}:tasks`)).toBe('a string, not a list');
    await raw.hset(`${tag}:lockish`, 'f', '1');
    await expect(backend.locks({ keys: { lock: () => `${tag}:lockish` } }).tryAcquire('r')).rejects.toBeInstanceOf(BackendDataError);
    await raw.set(`${tag}:nodes`, 'x');
    await expect(backend.registry('g', { keys: { members: `${tag}:nodes` } }).list()).rejects.toBeInstanceOf(BackendDataError);
  });

  it('a corrupt envelope goes to the dead letters with the reason, and the worker gets the next task', async () => {
    const prefix = uniquePrefix('corrupt');
    const q = r.backend(url, { prefix }).queue<string>('jobs');
    await q.enqueue('before', { id: 'before' });
    await r.raw(url).lpush(`${prefix}:{queue:jobs}:wait`, '{"baton":1,"id":"half', '{"baton":1,"payload":"{}"}');
    await q.enqueue('after', { id: 'after' });
    expect((await q.dequeueMany(10)).map((l) => l.id)).toEqual(['before', 'after']);
    const dead = await q.deadLetters();
    expect(dead).toHaveLength(2);
    expect(dead.map((d) => d.lastError)).toEqual([
      expect.stringMatching(/corrupt envelope \(no string id\)/),
      expect.stringMatching(/corrupt envelope \(not valid JSON\)/),
    ]);
    expect(dead[1]!.payload).toBe('{"baton":1,"id":"half');
    expect(await q.stats()).toMatchObject({ waiting: 0, active: 2, dead: 2 });
  });

  it('two prefixes on one server share no tasks, nodes or locks', async () => {
    const [a, b] = [r.backend(url, { prefix: uniquePrefix('tenant-a') }), r.backend(url, { prefix: uniquePrefix('tenant-b') })];
    await a.queue('jobs').enqueue('for a', { id: 'same' });
    expect((await b.queue('jobs').enqueue('for b', { id: 'same' })).status).toBe('queued');
    expect((await b.queue('jobs').dequeue())!.payload).toBe('for b');
    expect(await b.queue('jobs').dequeue()).toBeNull();
    expect((await a.queue('jobs').dequeue())!.payload).toBe('for a');
    await a.registry('nodes').register({ id: 'node-a' }, { ttlMs: 5_000 });
    expect(await b.registry('nodes').list()).toEqual([]);
    const held = await a.locks().tryAcquire('shared-name', { ttlMs: 5_000 });
    const other = await b.locks().tryAcquire('shared-name', { ttlMs: 5_000 });
    expect(held).not.toBeNull();
    expect(other).not.toBeNull();
    expect(other!.fence).toBe(1);
  });
});
