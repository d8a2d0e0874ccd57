import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { runBackendConformance } from '@baton/core/testing';
import { RedisBackend } from '@baton/redis-adapter';
import { startRedisCluster, type RedisClusterHandle } from '../setup/redis-cluster.js';

// The single-server run's global setup says whether redis-server is here at all.
const available = inject('redisUrl') !== '';

if (!available) {
  describe.skip('backend conformance: redis cluster — SKIPPED: no redis-server on PATH (CI=true makes this a failure)', () => {
    it('needs a redis-server', () => undefined);
  });
} else {
  let cluster: RedisClusterHandle | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  // A unit of 200 ms (100 on one server): a cluster's first subscription and blocking connection
  // connect to every master, and a loaded 2-core machine must not turn that into a timing failure.
  runBackendConformance('redis cluster (3 masters)', ({ clock, namespace }) => new RedisBackend({ cluster: cluster!.startupNodes, prefix: namespace, clock }), {
    time: 'real',
    unitMs: 200,
  });
}
