import { describe, inject, it } from 'vitest';
import { runBackendConformance } from '@baton/core/testing';
import { RedisBackend } from '@baton/redis-adapter';

const redisUrl = inject('redisUrl');

if (redisUrl === '') {
  describe.skip('backend conformance: redis — SKIPPED: no redis-server on PATH and no REDIS_URL (CI=true makes this a failure)', () => {
    it('needs a redis-server', () => undefined);
  });
} else {
  // The queue half; redis-coordination.conformance.test.ts runs the other half beside it.
  runBackendConformance('redis', ({ clock, namespace }) => new RedisBackend({ url: redisUrl, prefix: namespace, clock }), {
    time: 'real',
    part: 'queue',
  });
}
