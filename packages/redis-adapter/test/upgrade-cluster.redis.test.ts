import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '../../../test/setup/redis-cluster.js';
import { RedisBackend } from '../src/index.js';
import { writeFirstGenerationQueue } from './fixtures/first-generation-queue.js';
import { uniquePrefix } from './helpers.js';

const available = inject('redisUrl') !== '';

describe.skipIf(!available)(`upgrading first-generation queues on a 3-master Redis Cluster${available ? '' : ' (SKIPPED: no redis-server)'}`, () => {
  let cluster: RedisClusterHandle | undefined;
  let raw: Cluster | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    raw = new Cluster(cluster.startupNodes);
  }, 60_000);
  afterAll(async () => {
    raw?.disconnect();
    await cluster?.stop();
  });

  it('upgradeQueues finds the queues on every master by SCAN and converts each, once', async () => {
    const prefix = uniquePrefix('gen1c');
    const names = ['emails', 'orders', 'invoices', 'reports', 'sms', 'pushes'];
    for (const name of names) await writeFirstGenerationQueue(raw as unknown as Redis, prefix, name);
    // the queues' slots spread over more than one master, so one node's SCAN would miss some
    const sizes = await Promise.all(raw!.nodes('master').map((n) => n.dbsize()));
    expect(sizes.filter((size) => size > 0).length).toBeGreaterThan(1);
    const backend = new RedisBackend({ cluster: cluster!.startupNodes, prefix });
    try {
      const upgraded = await backend.upgradeQueues();
      expect(upgraded.map((u) => [u.queue, u.upgraded, u.waiting, u.dead])).toEqual([...names].sort().map((n) => [n, true, 6, 2]));
      for (const name of names) expect(await raw!.type(`${prefix}:{queue:${name}}:ids`)).toBe('hash');
      expect(await backend.upgradeQueues()).toEqual([]);
      expect(await backend.queues()).toEqual([...names].sort());
      const q = backend.queue('orders');
      const leases = await q.dequeueMany(100);
      expect(leases.map((l) => l.id)).toContain('w1');
      for (const lease of leases) expect(await q.complete(lease)).toBe(true);
    } finally {
      await backend.close();
    }
  });
});
