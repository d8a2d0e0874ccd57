import { BackendUnavailableError, ClosedError, TOKENS, type Backend } from '@baton/core';
import { Container } from 'inversify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../../test/setup/eventually.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/setup/redis-server.js';
import { RedisBackend, redisBackend } from '../src/index.js';
import { Resources, uniquePrefix } from './helpers.js';

const url = inject('redisUrl');
const r = new Resources();
let server: RedisServerHandle | undefined;

afterAll(async () => {
  await r.closeAll();
  await server?.stop();
});

/** Connected clients of the server, by name, as CLIENT LIST reports them. */
async function clientNames(raw: Redis, name: string): Promise<number> {
  const list = await raw.client('LIST');
  return String(list)
    .split('\n')
    .filter((line) => line.includes(`name=${name} `)).length;
}

describe.skipIf(url === '')(`redis connections${url === '' ? ' (SKIPPED: no redis-server)' : ''}`, () => {
  afterEach(() => r.closeAll());

  it('with a client it was given, the backend closes only the connections it created', async () => {
    const name = uniquePrefix('owner').replace(/-/g, '_');
    const client = new Redis(url, { connectionName: name });
    try {
      const backend = new RedisBackend({ client, prefix: uniquePrefix('owned') });
      const q = backend.queue('jobs');
      const waiting = q.dequeue({ waitMs: 200 });
      const lock = await backend.locks().tryAcquire('r', { ttlMs: 5_000 });
      const blocked = backend
        .locks()
        .acquire('r', { waitMs: 100 })
        .catch(() => undefined);
      await waiting;
      await blocked;
      await lock!.release();
      const raw = r.raw(url);
      // the given client, plus a subscriber duplicate (duplicates keep the connection name); the
      // queue's wait needs no connection of its own
      expect(await clientNames(raw, name)).toBe(2);
      await backend.close();
      await eventually(async () => (await clientNames(raw, name)) <= 1, { what: "the closed backend's connections to leave the server", timeoutMs: 5_000 });
      expect(await clientNames(raw, name)).toBe(1);
      expect(await client.ping()).toBe('PONG');
      await expect(q.enqueue('x')).rejects.toBeInstanceOf(ClosedError);
    } finally {
      client.disconnect();
    }
  });

  it('redisBackend() gives a ContainerModule whose Backend works and is closed when unbound', async () => {
    const container = new Container();
    container.load(redisBackend({ url, prefix: uniquePrefix('di') }));
    const backend = container.get<Backend>(TOKENS.Backend);
    expect(backend).toBeInstanceOf(RedisBackend);
    expect(backend.kind).toBe('redis');
    const q = backend.queue<number>('di');
    await q.enqueue(7, { id: 'seven' });
    expect((await q.dequeue())?.payload).toBe(7);
    await container.unbindAllAsync();
    await expect(q.stats()).rejects.toBeInstanceOf(ClosedError);
  });

  it('a backend closed while it first connects settles its waiting calls at once, not at the connect timeout', async () => {
    // A connect timeout longer than the test's: a call left waiting for the first connection
    // fails the test by timing out.
    const backend = r.backend(url, { prefix: uniquePrefix('early-close'), connectTimeoutMs: 600_000 });
    const waiting = backend.queue('jobs').dequeue({ waitMs: 600_000 });
    const locking = backend
      .locks()
      .acquire('r', { waitMs: 600_000 })
      .then(
        () => 'acquired',
        (e: unknown) => e,
      );
    await backend.close();
    expect(await waiting).toBeNull();
    expect(await locking).toBeInstanceOf(ClosedError);
  });

  it('ACL users, passwords and the database number pass through from the URL', async () => {
    server = await startRedisServer();
    const admin = r.raw(server.url);
    await admin.call('ACL', 'SETUSER', 'baton-user', 'on', '>s3cret', '~*', '&*', '+@all');
    const prefix = uniquePrefix('acl');
    const backend = r.backend(`redis://baton-user:s3cret@127.0.0.1:${server.port}/3`, { prefix });
    await backend.queue('jobs').enqueue('x', { id: 'in-db-3' });
    await admin.select(3);
    expect(await admin.llen(`${prefix}:{queue:jobs}:wait`)).toBe(1);
    const wrong = r.backend(`redis://baton-user:not-the-password@127.0.0.1:${server.port}`, { prefix });
    const error = await wrong
      .queue('jobs')
      .stats()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
    expect((error as Error).message).not.toContain('not-the-password');
  });
});
