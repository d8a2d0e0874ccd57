import { describe, inject, it } from 'vitest';
import { runBackendConformance } from '@baton/core/testing';
import { RedisBackend } from '@baton/redis-adapter';

/** How many test files each half of the real-time Redis run is split into. */
export const REDIS_CONFORMANCE_SHARDS = 2;

/**
 * The conformance suite on the tier's redis-server, one shard of one half per test file: the
 * real-time run mostly waits on timers, so its shards run side by side instead of one after the
 * other. Every (part, shard) pair has its file: redis-<part>-<shard>.conformance.test.ts.
 */
export function runRedisConformance(part: 'queue' | 'coordination', index: number): void {
  const redisUrl = inject('redisUrl');
  if (redisUrl === '') {
    describe.skip(`backend conformance: redis, ${part} ${index}/${REDIS_CONFORMANCE_SHARDS} — SKIPPED: no redis-server on PATH and no REDIS_URL (CI=true makes this a failure)`, () => {
      it('needs a redis-server', () => undefined);
    });
    return;
  }
  runBackendConformance('redis', ({ clock, namespace }) => new RedisBackend({ url: redisUrl, prefix: namespace, clock }), {
    time: 'real',
    part,
    shard: { index, count: REDIS_CONFORMANCE_SHARDS },
  });
}
