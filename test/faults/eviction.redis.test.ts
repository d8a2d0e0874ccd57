// Fault family: a Redis with little memory. Under noeviction a full server refuses writes: Baton
// turns the refusal into BackendFullError, loses no acknowledged task and delivers every one once
// memory is raised. Under a policy that may evict Baton's keys, the backend warns (or, with
// requireNoEviction, refuses to run and writes nothing).
import { BackendFullError, isBatonError, type Logger } from '@baton/core';
import { RedisBackend, type BackendWarning } from '@baton/redis-adapter';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../setup/redis-server.js';
import { recordFigures } from './support/results.js';

const available = inject('redisUrl') !== '';
let server: RedisServerHandle | undefined;
const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  await server?.stop();
  server = undefined;
});

function backend(url: string, options: Partial<ConstructorParameters<typeof RedisBackend>[0]> = {}): RedisBackend {
  const b = new RedisBackend({ url, prefix: 'evict', ...options });
  opened.push(b);
  return b;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = (): void => undefined;
  return { warnings, debug: none, info: none, error: none, warn: (message) => warnings.push(message) };
}

describe.skipIf(!available)(`a Redis short of memory${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  it('under noeviction a full server refuses enqueues with BackendFullError; every acknowledged task is delivered once memory is raised', async () => {
    server = await startRedisServer(['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction']);
    const queue = backend(server.url).queue<{ n: number; pad: string }>('jobs');
    const pad = 'x'.repeat(200);
    let acknowledged = 0;
    let refusal: unknown;
    for (let n = 0; n < 200_000 && refusal === undefined; n += 100) {
      try {
        const results = await queue.enqueueMany(Array.from({ length: 100 }, (_, i) => ({ payload: { n: n + i, pad }, id: `t-${n + i}` })));
        acknowledged += results.filter((r) => r.status === 'queued').length;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(BackendFullError);
    expect(isBatonError(refusal, 'BACKEND_FULL')).toBe(true);
    expect((refusal as Error).message).toMatch(/out of memory.*changed nothing/);
    expect(acknowledged).toBeGreaterThan(1_000);
    // a refused call changed nothing: what waits is exactly what was acknowledged
    expect((await queue.stats()).waiting).toBe(acknowledged);

    const admin = new Redis(server.url);
    opened.push({ close: () => admin.disconnect() });
    await admin.config('SET', 'maxmemory', '0');
    const seen = new Set<string>();
    for (;;) {
      const leases = await queue.dequeueMany(500);
      if (leases.length === 0) break;
      for (const lease of leases) {
        seen.add(lease.id);
        await queue.complete(lease);
      }
    }
    recordFigures('eviction-noeviction', { maxmemory: '4mb', acknowledged, delivered: seen.size, refusalCode: (refusal as BackendFullError).code });
    expect(seen.size).toBe(acknowledged);
  });

  it('under allkeys-lru or volatile-lru the backend warns once, naming the policy and the fix, and goes on', async () => {
    server = await startRedisServer(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
    for (const policy of ['allkeys-lru', 'volatile-lru']) {
      const admin = new Redis(server.url);
      opened.push({ close: () => admin.disconnect() });
      await admin.config('SET', 'maxmemory-policy', policy);
      const logger = recordingLogger();
      const warnings: BackendWarning[] = [];
      const b = backend(server.url, { logger, onWarning: (w) => warnings.push(w) });
      const queue = b.queue('jobs');
      await queue.enqueue({ n: 1 });
      await queue.enqueue({ n: 2 });
      await (await b.locks().acquire(`lock-${policy}`)).release();
      await expect.poll(() => warnings.length).toBe(1);
      expect(warnings[0]).toMatchObject({ code: 'EVICTION_POLICY', policy, address: expect.stringContaining('127.0.0.1') });
      expect(warnings[0]!.message).toContain(`maxmemory-policy ${policy}`);
      expect(warnings[0]!.message).toContain('noeviction');
      expect(logger.warnings).toEqual([warnings[0]!.message]);
    }
  });

  it('with requireNoEviction an evicting server is refused before anything is written; noeviction is accepted', async () => {
    server = await startRedisServer(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
    const strict = backend(server.url, { requireNoEviction: true });
    await expect(strict.queue('jobs').enqueue({ n: 1 })).rejects.toMatchObject({ code: 'UNSAFE_EVICTION_POLICY' });
    await expect(strict.locks().tryAcquire('r')).rejects.toMatchObject({ code: 'UNSAFE_EVICTION_POLICY' });
    const admin = new Redis(server.url);
    opened.push({ close: () => admin.disconnect() });
    expect(await admin.dbsize()).toBe(0);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const accepted = backend(server.url, { requireNoEviction: true });
    expect((await accepted.queue('jobs').enqueue({ n: 1 })).status).toBe('queued');
  });
});
