import { describe, inject, it } from 'vitest';
import { runBackendConformance } from '@baton/core/testing';
import { RedisBackend } from '@baton/redis-adapter';

const redisUrl = inject('redisUrl');

if (redisUrl === '') {
  describe.skip('backend conformance: redis — SKIPPED: no redis-server on PATH and no REDIS_URL (CI=true makes this a failure)', () => {
    it('needs a redis-server', () => undefined);
  });
} else {
  // The coordination half (registry, locks, semaphores, read/write locks, input, lifecycle);
  // redis.conformance.test.ts runs the queue half beside it: two files that run side by side.
  runBackendConformance('redis', ({ clock, namespace }) => new RedisBackend({ url: redisUrl, prefix: namespace, clock }), {
    time: 'real',
    part: 'coordination',
  });
}
